//! Evaluation organisations in the catalog (目录管理): registration id (备案号), kind, category,
//! region, the occupation-levels each may certify, status with its history, and the public key
//! its sealed papers are encrypted to. Plain data.

use super::{Grade, Level, OccupationCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Y 用人单位 (an employer evaluating its own staff) or S 社会培训评价组织 (a social training and
/// evaluation organisation) — the first letter of the certificate number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum OrgKind {
    Y,
    S,
}

impl OrgKind {
    pub fn parse(s: &str) -> Option<OrgKind> {
        match s {
            "Y" | "y" | "用人单位" => Some(OrgKind::Y),
            "S" | "s" | "社会培训评价组织" => Some(OrgKind::S),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            OrgKind::Y => "用人单位",
            OrgKind::S => "社会培训评价组织",
        }
    }
}

/// What kind of body the organisation is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgCategory {
    /// 企业自主评价
    Enterprise,
    /// 职业培训机构
    Training,
    /// 技工院校
    School,
    /// 第三方评价机构
    ThirdParty,
}

impl OrgCategory {
    pub const ALL: [OrgCategory; 4] = [
        OrgCategory::Enterprise,
        OrgCategory::Training,
        OrgCategory::School,
        OrgCategory::ThirdParty,
    ];
    pub fn parse(s: &str) -> Option<OrgCategory> {
        OrgCategory::ALL
            .into_iter()
            .find(|c| c.code() == s || c.name() == s)
    }
    pub fn code(self) -> &'static str {
        match self {
            OrgCategory::Enterprise => "enterprise",
            OrgCategory::Training => "training",
            OrgCategory::School => "school",
            OrgCategory::ThirdParty => "third-party",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            OrgCategory::Enterprise => "企业自主评价",
            OrgCategory::Training => "职业培训机构",
            OrgCategory::School => "技工院校",
            OrgCategory::ThirdParty => "第三方评价机构",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgStatus {
    Active,
    Suspended,
}

impl OrgStatus {
    pub fn name(self) -> &'static str {
        match self {
            OrgStatus::Active => "在册",
            OrgStatus::Suspended => "暂停",
        }
    }
}

/// One change of status, kept for the record (退出机制 / 动态调整).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct StatusChange {
    pub at: String,
    pub status: OrgStatus,
    pub reason: String,
    pub by: String,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Organisation {
    /// 备案号, e.g. `S000032100001` (kind letter, organisation code, province, site serial).
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub category: OrgCategory,
    pub region: String,
    /// Occupation → levels it may certify.
    pub certify: BTreeMap<OccupationCode, Vec<Grade>>,
    pub status: OrgStatus,
    /// X25519 public key (hex) that sealed packages are encrypted to.
    pub public_key: String,
    pub key_fingerprint: String,
    pub registered: String,
    #[serde(default)]
    pub history: Vec<StatusChange>,
}

impl Organisation {
    pub fn may_certify(&self, occ: &OccupationCode, level: Grade) -> bool {
        self.certify.get(occ).is_some_and(|l| l.contains(&level))
    }
}

/// Registration ids: ASCII letters, digits and '-', 3–32 characters (they name files).
pub fn is_valid_org_id(id: &str) -> bool {
    (3..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Parses `6-31-01-03:4,3` (or `6-31-01-03:四级,三级`) into an occupation and its levels, and a
/// 专项职业能力 code alone (`S3200001`, no levels: it has none) into that code, unleveled.
pub fn parse_scope(s: &str) -> Option<(OccupationCode, Vec<Grade>)> {
    let Some((occ, levels)) = s.split_once(':') else {
        let occ = OccupationCode::parse(s.trim())?;
        return occ.is_special().then(|| (occ, vec![Grade::Unleveled]));
    };
    let occ = OccupationCode::parse(occ.trim())?;
    if occ.is_special() {
        return None;
    }
    let mut out = Vec::new();
    for l in levels.split([',', '，']) {
        let l = Grade::Level(Level::parse(l.trim())?);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out.sort();
    (!out.is_empty()).then_some((occ, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_codes_and_names() {
        let (occ, levels) = parse_scope("6-31-01-03:4,三级").unwrap();
        assert_eq!(occ.as_str(), "6-31-01-03");
        assert_eq!(
            levels.iter().map(|l| l.key()).collect::<Vec<_>>(),
            vec!["3", "4"]
        );
        let (occ, levels) = parse_scope("S3200001").unwrap();
        assert_eq!((occ.as_str(), levels), ("S3200001", vec![Grade::Unleveled]));
        for bad in [
            "6-31-01-03",
            "6-31-01:4",
            "6-31-01-03:",
            "6-31-01-03:9",
            "S3200001:4",
            "S3200001:",
        ] {
            assert!(parse_scope(bad).is_none(), "{bad}");
        }
        assert!(is_valid_org_id("S000032100001"));
        assert!(!is_valid_org_id("S0/../x"));
    }
}
