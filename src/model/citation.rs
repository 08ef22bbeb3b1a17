//! Citations of standards (`cites = ["GB 50303-2015 5.1.7"]`) and the register of standards the
//! bank cites, with each standard's status (现行 / 废止 / 被替代) and its replacement.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A parsed citation: the standard's number (`GB 50303-2015`) and, optionally, the clause
/// (`5.1.7`, `表3.2.1`, `附录A`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Citation {
    pub standard: String,
    pub clause: Option<String>,
}

impl Citation {
    /// `PREFIX NUMBER-YEAR [CLAUSE]`: PREFIX is 1–4 capital letters with an optional `/T` or `/Z`
    /// (GB, GB/T, JGJ/T, DL/T), NUMBER is digits with optional `.part` (4728.7), YEAR four digits.
    /// None when the text names no standard number.
    pub fn parse(text: &str) -> Option<Citation> {
        let text = text.trim();
        let (code, clause) = match text.split_once(' ') {
            Some((prefix, rest)) => {
                let (number, clause) = match rest.trim_start().split_once(' ') {
                    Some((n, c)) => (n, Some(c.trim())),
                    None => (rest.trim_start(), None),
                };
                (format!("{prefix} {number}"), clause)
            }
            None => return None,
        };
        let (prefix, number) = code.split_once(' ')?;
        if !is_prefix(prefix) || !is_number_year(number) {
            return None;
        }
        if clause.is_some_and(|c| c.is_empty() || c.chars().any(char::is_whitespace)) {
            return None;
        }
        Some(Citation {
            standard: code,
            clause: clause.map(str::to_string),
        })
    }
}

fn is_prefix(p: &str) -> bool {
    let (letters, suffix) = match p.split_once('/') {
        Some((l, s)) => (l, Some(s)),
        None => (p, None),
    };
    (1..=4).contains(&letters.len())
        && letters.bytes().all(|b| b.is_ascii_uppercase())
        && suffix.is_none_or(|s| matches!(s, "T" | "Z"))
}

fn is_number_year(s: &str) -> bool {
    let Some((number, year)) = s.rsplit_once('-') else {
        return false;
    };
    let parts_ok = number
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    parts_ok && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
}

/// Status of a standard in the register.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum StandardStatus {
    #[serde(rename = "现行")]
    Current,
    #[serde(rename = "废止")]
    Withdrawn,
    #[serde(rename = "被替代")]
    Replaced,
}

impl StandardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StandardStatus::Current => "现行",
            StandardStatus::Withdrawn => "废止",
            StandardStatus::Replaced => "被替代",
        }
    }
}

impl fmt::Display for StandardStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One standard of the register.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RegisteredStandard {
    pub code: String,
    pub title: String,
    pub status: StandardStatus,
    pub replaced_by: Option<String>,
    /// 实施日期, `YYYY-MM-DD`; None while the date is still to be confirmed.
    pub effective: Option<String>,
}

/// The register of standards (`banks/standards-register.toml`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct StandardsRegister {
    pub standards: Vec<RegisteredStandard>,
}

impl StandardsRegister {
    pub fn get(&self, code: &str) -> Option<&RegisteredStandard> {
        self.standards.iter().find(|s| s.code == code)
    }

    /// Why citing `cite` is a problem, in Chinese words, or None when the cited standard is 现行
    /// or not in the register.
    pub fn warning(&self, cite: &str) -> Option<String> {
        let c = Citation::parse(cite)?;
        let s = self.get(&c.standard)?;
        match (s.status, &s.replaced_by) {
            (StandardStatus::Current, _) => None,
            (StandardStatus::Replaced, Some(by)) => Some(format!(
                "引用的 {} 已被 {} 替代，请按现行标准复核答案",
                s.code, by
            )),
            (StandardStatus::Withdrawn, Some(by)) => Some(format!(
                "引用的 {} 已废止（由 {} 代替），请按现行标准复核答案",
                s.code, by
            )),
            (status, None) => Some(format!("引用的 {} 已{}，请复核答案", s.code, status)),
        }
    }

    /// Every warning for a list of citations.
    pub fn warnings(&self, cites: &[String]) -> Vec<String> {
        cites.iter().filter_map(|c| self.warning(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_need_a_standard_number() {
        let c = Citation::parse("GB 50303-2015 5.1.7").unwrap();
        assert_eq!(c.standard, "GB 50303-2015");
        assert_eq!(c.clause.as_deref(), Some("5.1.7"));
        assert!(Citation::parse("GB/T 4728.7-2022").is_some());
        assert!(Citation::parse("JGJ/T 46-2024 6.2.3").is_some());
        for bad in [
            "GB50303-2015",
            "建筑电气规范 5.1.7",
            "GB 50303",
            "gb 50303-2015",
            "GB 50303-15",
        ] {
            assert!(Citation::parse(bad).is_none(), "{bad}");
        }
    }
}
