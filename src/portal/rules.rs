//! The portal's rules, pure: the roles, who may see, fetch and upload what, when a release is
//! due, what makes an acceptable login name and password, and the lock-out after failed tries.
//! The server's handlers ask these and nothing else.

use super::crossing::PartKind;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Failed sign-ins before an account (or enrolment code) is locked.
pub const MAX_FAILURES: i64 = 5;
/// How long a lock-out lasts.
pub const LOCK_SECS: i64 = 15 * 60;
/// A session's life without use.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// A session's life at most.
pub const SESSION_MAX_SECS: i64 = 12 * 60 * 60;
/// The largest upload taken (a workbook with figures, or a 机考's results).
pub const MAX_UPLOAD: usize = 32 << 20;
/// How long an enrolment code lasts.
pub const ENROL_DAYS: i64 = 30;

/// Who a portal user is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The bureau's operator: sees the portal's state and log, fetches nothing sealed.
    Operator,
    /// An organisation's administrator: manages its users, downloads, uploads results.
    Admin,
    /// An organisation's evaluator (考评员): downloads its packages and releases.
    Evaluator,
    /// An item writer: uploads sealed submissions and follows their status.
    Writer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
            Role::Writer => "writer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Operator, Role::Admin, Role::Evaluator, Role::Writer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
    /// What people call it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Operator => "鉴定中心操作员",
            Role::Admin => "机构管理员",
            Role::Evaluator => "考评员",
            Role::Writer => "命题人员",
        }
    }
}

/// A signed-in user, as the rules see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    /// None for the bureau's operator.
    pub organisation: Option<String>,
    pub role: Role,
}

impl User {
    fn of(&self, org: &str) -> bool {
        self.organisation.as_deref() == Some(org)
    }
    /// An organisation's package, and its releases: its administrator and evaluators only.
    pub fn may_fetch_package(&self, org: &str) -> bool {
        self.of(org) && matches!(self.role, Role::Admin | Role::Evaluator)
    }
    /// Whether this user sees a sitting's packages at all.
    pub fn sees_sittings(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Evaluator)
    }
    /// Which kinds of sealed file this user may upload.
    pub fn may_upload(&self, kind: PartKind) -> bool {
        match kind {
            PartKind::Submission | PartKind::UploadSubmission => {
                matches!(self.role, Role::Writer | Role::Admin)
            }
            PartKind::Results | PartKind::UploadResponses | PartKind::UploadFeedback => {
                self.role == Role::Admin
            }
            _ => false,
        }
    }
    /// Creating and disabling the users of `org`: its administrator.
    pub fn may_manage(&self, org: &str) -> bool {
        self.of(org) && self.role == Role::Admin
    }
}

/// Whether a release whose sitting starts (or whose keys open) at `at` may be handed out at
/// `now`. An unreadable time is never due.
pub fn due(at: &str, now: Timestamp) -> bool {
    at.parse::<Timestamp>().is_ok_and(|t| now >= t)
}

/// Login names: 3–32 of a–z, 0–9, `.`, `_`, `-`, starting with a letter or digit.
pub fn login_ok(login: &str) -> bool {
    (3..=32).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && login
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Why a new password is refused, if it is: at least 10 characters, not one character repeated,
/// not the login name, and no more than 128 bytes (Argon2 input stays bounded).
pub fn password_problem(login: &str, password: &str) -> Option<&'static str> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < 10 {
        return Some("密码至少 10 个字符");
    }
    if password.len() > 128 {
        return Some("密码最多 128 个字节");
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return Some("密码不能由同一个字符重复组成");
    }
    if password.to_lowercase().contains(login) {
        return Some("密码不能包含登录名");
    }
    None
}

/// When an account with `failures` failed tries (the newest at `last`) may try again; None:
/// now.
pub fn locked_until(failures: i64, last: i64) -> Option<i64> {
    (failures >= MAX_FAILURES).then_some(last + LOCK_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(org: Option<&str>, role: Role) -> User {
        User {
            id: 1,
            login: "u1".into(),
            name: "某人".into(),
            organisation: org.map(String::from),
            role,
        }
    }

    #[test]
    fn only_an_organisations_own_admin_and_evaluators_fetch_its_packages() {
        let ev = user(Some("S1"), Role::Evaluator);
        assert!(ev.may_fetch_package("S1"));
        assert!(!ev.may_fetch_package("S2"));
        assert!(!user(Some("S1"), Role::Writer).may_fetch_package("S1"));
        assert!(!user(None, Role::Operator).may_fetch_package("S1"));
        assert!(user(Some("S1"), Role::Admin).may_manage("S1"));
        assert!(!ev.may_manage("S1"));
        assert!(!user(Some("S1"), Role::Writer).may_upload(PartKind::Results));
        assert!(user(Some("S1"), Role::Writer).may_upload(PartKind::Submission));
        assert!(!ev.may_upload(PartKind::Package));
    }

    #[test]
    fn a_release_is_due_at_its_time_and_never_on_an_unreadable_one() {
        let t: Timestamp = "2026-11-28T01:00:00Z".parse().unwrap();
        assert!(!due("2026-11-28T09:00:01+08:00", t));
        assert!(due("2026-11-28T09:00:00+08:00", t));
        assert!(!due("soon", t));
    }

    #[test]
    fn weak_passwords_and_odd_login_names_are_refused() {
        assert!(login_ok("zhang.wei-01"));
        assert!(!login_ok("Zhang"));
        assert!(!login_ok("-ab"));
        assert!(!login_ok("a b"));
        assert_eq!(password_problem("zw", "short"), Some("密码至少 10 个字符"));
        assert!(password_problem("zw", "aaaaaaaaaaaa").is_some());
        assert!(password_problem("zhangwei", "Zhangwei2026!").is_some());
        assert_eq!(password_problem("zw", "金陵考点2026秋季"), None);
        assert_eq!(locked_until(4, 100), None);
        assert_eq!(locked_until(5, 100), Some(100 + LOCK_SECS));
    }
}
