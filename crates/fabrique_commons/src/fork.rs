//! Forking a document into another organisation: licence rules and attribution chain.

use crate::attribution::{Attribution, fork_chain};
use crate::license::{ForkLicenseError, License, fork_license};
use crate::model::Content;

/// A new fork: the content to save as its first revision and the attribution chain to
/// store with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    /// The copied content, with the fork's licence.
    pub content: Content,
    /// The attribution chain: the source first, then the sources it was adapted from.
    pub chain: Vec<Attribution>,
}

/// Forks `source`: copies its content (visibility and all), applies the licence rules of
/// [`fork_license`] to `requested` (`None` keeps the source's licence), and carries the
/// attribution: `source_credit` (the source document's own credit, at the revision
/// taken) followed by `source_chain`.
pub fn fork(
    source: &Content,
    source_credit: Attribution,
    source_chain: &[Attribution],
    requested: Option<License>,
) -> Result<Fork, ForkLicenseError> {
    let license = fork_license(source.license, requested)?;
    let mut content = source.clone();
    content.license = license;
    Ok(Fork {
        content,
        chain: fork_chain(source_credit, source_chain),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forks_keep_share_alike_and_carry_attribution() {
        let src = Content::page("Repair café", "x");
        let credit = Attribution {
            title: "Repair café".into(),
            authors: vec!["Louise".into()],
            org: "Atelier Soudé".into(),
            org_slug: Some("atelier-soude".into()),
            document: Some("repair-cafe".into()),
            revision: Some(4),
            license: License::CcBySa,
            url: None,
        };
        let f = fork(&src, credit.clone(), &[], None).unwrap();
        assert_eq!(f.content.license, License::CcBySa);
        assert_eq!(f.chain, vec![credit.clone()]);
        assert!(fork(&src, credit.clone(), &[], Some(License::Cc0)).is_err());
        let g = fork(&f.content, credit.clone(), &f.chain, None).unwrap();
        assert_eq!(g.chain.len(), 2);
    }
}
