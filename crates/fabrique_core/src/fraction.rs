//! Exact fractions for statutory shares and thresholds.

use std::fmt;

use num_rational::Ratio;
use num_traits::{Signed, Zero};

use crate::FieldError;

/// A non-negative exact fraction such as `3/10`. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fraction(Ratio<i64>);

impl Fraction {
    /// Zero.
    pub const ZERO: Fraction = Fraction(Ratio::new_raw(0, 1));

    /// Builds `num/den`, reduced. `den` must not be zero.
    pub fn new(num: i64, den: i64) -> Result<Self, FieldError> {
        if den == 0 {
            return Err(FieldError::new(
                "share",
                "fraction_invalid",
                "the denominator cannot be zero",
            ));
        }
        let r = Ratio::new(num, den);
        if r.is_negative() {
            return Err(FieldError::new(
                "share",
                "fraction_invalid",
                "a share cannot be negative",
            ));
        }
        Ok(Self(r))
    }

    /// Parses `"3/10"`, `"30%"`, `"0.3"` or `"1"` exactly.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "share",
                "fraction_invalid",
                format!("“{text}” is not a fraction; write it like 3/10, 30% or 0.3"),
            )
        };
        let t = text.trim();
        if let Some((n, d)) = t.split_once('/') {
            let n: i64 = n.trim().parse().map_err(|_| bad())?;
            let d: i64 = d.trim().parse().map_err(|_| bad())?;
            return Self::new(n, d).map_err(|_| bad());
        }
        let (t, scale) = match t.strip_suffix('%') {
            Some(p) => (p.trim(), 100i64),
            None => (t, 1),
        };
        let t = t.replace(',', ".");
        let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 12
        {
            return Err(bad());
        }
        let den = 10i64.pow(frac.len() as u32);
        let num: i64 = format!("{int}{frac}").parse().map_err(|_| bad())?;
        Self::new(num, den.checked_mul(scale).ok_or_else(bad)?).map_err(|_| bad())
    }

    /// The underlying ratio.
    pub fn ratio(self) -> Ratio<i64> {
        self.0
    }

    /// Numerator of the reduced fraction.
    pub fn numer(self) -> i64 {
        *self.0.numer()
    }

    /// Denominator of the reduced fraction.
    pub fn denom(self) -> i64 {
        *self.0.denom()
    }

    /// True when the fraction is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The sum of several fractions, or `None` on overflow.
    pub fn sum(items: impl IntoIterator<Item = Fraction>) -> Option<Fraction> {
        items
            .into_iter()
            .try_fold(Ratio::from_integer(0i64), |acc, f| {
                let l = num_integer_lcm(*acc.denom(), f.denom())?;
                let a = acc.numer().checked_mul(l / acc.denom())?;
                let b = f.numer().checked_mul(l / f.denom())?;
                Some(Ratio::new(a.checked_add(b)?, l))
            })
            .map(Fraction)
    }

    /// A percentage rendering such as `30 %` or `33,33 %` (display only).
    pub fn percent_label(self) -> String {
        let hundredths =
            (self.numer() as i128 * 10_000 + self.denom() as i128 / 2) / self.denom() as i128;
        let (int, frac) = (hundredths / 100, hundredths % 100);
        if frac == 0 {
            format!("{int} %")
        } else {
            format!("{int},{frac:02} %")
        }
    }
}

fn num_integer_lcm(a: i64, b: i64) -> Option<i64> {
    fn gcd(mut a: i64, mut b: i64) -> i64 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a.abs()
    }
    (a / gcd(a, b)).checked_mul(b)
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numer(), self.denom())
    }
}

impl serde::Serialize for Fraction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Fraction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Fraction::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings_exactly() {
        assert_eq!(
            Fraction::parse("3/10").unwrap(),
            Fraction::new(3, 10).unwrap()
        );
        assert_eq!(
            Fraction::parse("30%").unwrap(),
            Fraction::new(3, 10).unwrap()
        );
        assert_eq!(
            Fraction::parse("0,3").unwrap(),
            Fraction::new(3, 10).unwrap()
        );
        assert_eq!(Fraction::parse("2/3").unwrap().to_string(), "2/3");
        assert_eq!(Fraction::parse("1").unwrap().to_string(), "1/1");
        for bad in ["", "abc", "1/0", "-1/3", "1.2.3", "%", "3/-"] {
            assert!(Fraction::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sums_exactly() {
        let shares = ["3/10", "3/10", "1/4", "3/20"].map(|s| Fraction::parse(s).unwrap());
        assert_eq!(Fraction::sum(shares).unwrap(), Fraction::new(1, 1).unwrap());
        assert_eq!(Fraction::parse("1/3").unwrap().percent_label(), "33,33 %");
        assert_eq!(Fraction::parse("1/4").unwrap().percent_label(), "25 %");
    }
}
