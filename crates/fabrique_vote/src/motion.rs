//! `motion` (for / against / abstain / blank) and `consent`.
//!
//! A motion passes when:
//! - *simple*: for > against;
//! - *absolute*: for > 1/2 × base;
//! - *qualified*: for ≥ fraction × base (2/3 of 300 is exactly 200).
//!
//! The base is the expressed votes (for + against), `present`, or `electorate`. With colleges,
//! for and against are the college-weighted scores `Σ share_c × for_c / expressed_c` (and
//! likewise for against), and only the expressed base is allowed.
//!
//! `details`: `totals` (for, against, abstain, blank in ballots × weight), `expressed`,
//! `base`, `threshold` (the value `for` had to reach), `for_share` (for / base), and with
//! colleges `weighted` (the college-weighted for/against) and `colleges` (each college's
//! share, effective share, for, against, expressed and score).

use std::collections::BTreeMap;

use num_rational::BigRational;
use num_traits::{One, Zero};
use serde_json::json;

use crate::model::{Base, Election, Majority};
use crate::prepare::{Choice, ConsentBallot, Content, Prepared};
use crate::report::num;
use crate::{Counted, TallyError};

pub(crate) fn motion(e: &Election, p: &Prepared) -> Result<Counted, TallyError> {
    let mut raw: BTreeMap<&str, BigRational> = ["for", "against", "abstain", "blank"]
        .into_iter()
        .map(|k| (k, BigRational::zero()))
        .collect();
    let (mut f, mut a) = (0u128, 0u128);
    let nc = p.colleges.len();
    let mut per_college = vec![(BigRational::zero(), BigRational::zero()); nc];
    for it in &p.items {
        let Content::Motion(c) = it.content else {
            continue;
        };
        let key = match c {
            Choice::For => "for",
            Choice::Against => "against",
            Choice::Abstain => "abstain",
            Choice::Blank => "blank",
        };
        *raw.get_mut(key).expect("known key") += it.raw();
        match c {
            Choice::For => {
                f += it.weight;
                if let Some(ci) = it.college {
                    per_college[ci].0 += it.raw();
                }
            }
            Choice::Against => {
                a += it.weight;
                if let Some(ci) = it.college {
                    per_college[ci].1 += it.raw();
                }
            }
            _ => {}
        }
    }
    let for_v = p.real(f);
    let against_v = p.real(a);
    let expressed = &for_v + &against_v;
    if nc > 0 && e.rule.base != Base::Expressed {
        return Err(TallyError::Election(
            "with colleges, a motion's base must be the expressed votes".into(),
        ));
    }
    let base = match e.rule.base {
        Base::Expressed => {
            if nc > 0 && !e.college_redistribution {
                BigRational::one()
            } else {
                expressed.clone()
            }
        }
        Base::Present => e
            .present
            .as_ref()
            .ok_or_else(|| TallyError::Election("base \"present\" needs \"present\"".into()))?
            .0
            .clone(),
        Base::Electorate => e
            .electorate
            .as_ref()
            .ok_or_else(|| TallyError::Election("base \"electorate\" needs \"electorate\"".into()))?
            .0
            .clone(),
    };
    let (passed, threshold, rule_text) = match e.rule.majority {
        Majority::Simple => (
            for_v > against_v,
            against_v.clone(),
            "for > against".to_string(),
        ),
        Majority::Absolute => {
            let t = &base / BigRational::from_integer(2.into());
            (for_v > t, t, "for > 1/2 of the base".to_string())
        }
        Majority::Qualified => {
            let frac = e.rule.fraction.as_ref().ok_or_else(|| {
                TallyError::Election("a qualified majority needs a \"fraction\"".into())
            })?;
            if frac.0 > BigRational::one() || frac.0.is_zero() {
                return Err(TallyError::Election(format!(
                    "a qualified majority's fraction must be in ]0, 1], not {frac}"
                )));
            }
            let t = &frac.0 * &base;
            (for_v >= t, t, format!("for ≥ {frac} of the base"))
        }
    };
    let mut details = json!({
        "rule": {
            "majority": e.rule.majority,
            "fraction": e.rule.fraction,
            "base": e.rule.base,
            "test": rule_text,
        },
        "totals": raw.iter().map(|(k, v)| (k.to_string(), num(v))).collect::<BTreeMap<_, _>>(),
        "expressed": num(&expressed),
        "base": num(&base),
        "threshold": num(&threshold),
        "for_share": if base.is_zero() { serde_json::Value::Null } else { num(&(&for_v / &base)) },
    });
    if nc > 0 {
        details["weighted"] = json!({"for": num(&for_v), "against": num(&against_v)});
        let mut cs = BTreeMap::new();
        for (ci, c) in p.colleges.iter().enumerate() {
            let (cf, ca) = &per_college[ci];
            let exp = cf + ca;
            cs.insert(
                c.name.clone(),
                json!({
                    "share": c.share.to_string(),
                    "effective_share": c.effective_share.to_string(),
                    "for": num(cf),
                    "against": num(ca),
                    "expressed": num(&exp),
                    "score": if exp.is_zero() { serde_json::Value::Null } else { num(&(cf / &exp)) },
                }),
            );
        }
        details["colleges"] = serde_json::to_value(cs).unwrap_or_default();
    }
    Ok(Counted {
        ranking: Vec::new(),
        winners: Vec::new(),
        passed: Some(passed),
        details,
    })
}

/// Consent: passes when no ballot objects. Objections (with their reasons) and stand-asides
/// are listed in `details`, sorted so the order of ballots does not matter.
pub(crate) fn consent(p: &Prepared) -> Counted {
    let mut consents = BigRational::zero();
    let mut objections = Vec::new();
    let mut stand_asides = Vec::new();
    let mut blank = BigRational::zero();
    for it in &p.items {
        match &it.content {
            Content::Consent(ConsentBallot::Consent) => consents += it.raw(),
            Content::Consent(ConsentBallot::Objection(r)) => objections.push(r.clone()),
            Content::Consent(ConsentBallot::StandAside(r)) => stand_asides.push(r.clone()),
            _ => blank += it.raw(),
        }
    }
    objections.sort();
    stand_asides.sort();
    Counted {
        ranking: Vec::new(),
        winners: Vec::new(),
        passed: Some(objections.is_empty()),
        details: json!({
            "consents": num(&consents),
            "objections": objections,
            "stand_asides": stand_asides,
            "blank": num(&blank),
        }),
    }
}
