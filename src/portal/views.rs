//! What the portal's pages show, as plain values: an organisation in the public catalog, a
//! sitting as one organisation sees it, an upload with its status; and how an uploaded file's
//! kind is recognised. Pure.

use super::crossing::PartKind;
use serde::Serialize;

/// One organisation in the public catalog.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogOrg {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub region: String,
    pub status: String,
    pub certify: String,
    pub fingerprint: String,
}

/// A sitting as one organisation sees it.
#[derive(Clone, Debug, Serialize)]
pub struct OrgSitting {
    pub id: String,
    pub title: String,
    pub start: String,
    pub end: String,
    pub keys_at: String,
    pub package_len: i64,
    pub package_sha256: String,
    /// (stage, due) of each release the portal holds, and whether it is due now.
    pub releases: Vec<(PartKind, String, bool)>,
}

/// An upload as its sender (or their administrator) follows it.
#[derive(Clone, Debug, Serialize)]
pub struct UploadRow {
    pub id: i64,
    pub login: String,
    pub kind: PartKind,
    pub file_name: String,
    pub len: i64,
    pub received: String,
    pub inbox_seq: Option<i64>,
    pub accepted: Option<bool>,
    pub message: Option<String>,
}

impl UploadRow {
    /// Its status, as people read it.
    pub fn status(&self) -> &'static str {
        match (self.inbox_seq, self.accepted) {
            (None, _) => "已收到，待传送至鉴定中心",
            (Some(_), None) => "已传送至鉴定中心，待处理",
            (Some(_), Some(true)) => "鉴定中心已接收",
            (Some(_), Some(false)) => "鉴定中心已退回",
        }
    }
}

/// What kind of sealed file `bytes` is, by its first line; a file sealed in the page is of the
/// kind its sender declared (the vault checks the declaration against what it holds).
pub fn kind_of(
    bytes: &[u8],
    declared: Option<crate::package::upload::UploadKind>,
) -> Option<PartKind> {
    if crate::package::upload::is_upload(bytes) {
        declared.map(PartKind::of_upload)
    } else if crate::package::results::is_results(bytes) {
        Some(PartKind::Results)
    } else if bytes.starts_with(b"QBANK-SUBMISSION/2\n") {
        Some(PartKind::Submission)
    } else {
        None
    }
}

/// Where an organisation's administrator stands, as the bureau's operator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Enrolment {
    /// No code was ever issued for it.
    NoCode,
    /// A code is out and unused; it expires then.
    Issued,
    Expired,
    /// The administrator enrolled.
    Enrolled,
}

impl Enrolment {
    /// From the enrolment row: whether a code exists, was used, and is past its expiry.
    pub fn of(code: bool, used: bool, expired: bool) -> Enrolment {
        match (code, used, expired) {
            (false, _, _) => Enrolment::NoCode,
            (true, true, _) => Enrolment::Enrolled,
            (true, false, true) => Enrolment::Expired,
            (true, false, false) => Enrolment::Issued,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Enrolment::NoCode => "未发注册码",
            Enrolment::Issued => "注册码已发出，未注册",
            Enrolment::Expired => "注册码已过期，未注册",
            Enrolment::Enrolled => "管理员已注册",
        }
    }
}

/// One organisation on the operator's overview.
#[derive(Clone, Debug, Serialize)]
pub struct OrgState {
    pub id: String,
    pub name: String,
    pub region: String,
    pub status: String,
    pub enrolment: Enrolment,
    /// Active users (administrator, evaluators, writers).
    pub users: i64,
    /// Uploads not yet sent in an inbox.
    pub waiting: i64,
    /// Uploads the bureau returned.
    pub returned: i64,
}

/// One entry of the portal's log.
#[derive(Clone, Debug, Serialize)]
pub struct LogRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

impl LogRow {
    /// The action as people read it (the code stays in the log).
    pub fn action_name(&self) -> &str {
        match self.action.as_str() {
            "bureau-pin" => "固定鉴定中心公钥",
            "outbox-import" => "导入数据包",
            "inbox-export" => "导出回传包",
            "operator-add" => "添加操作员",
            "enrol" => "机构管理员注册",
            "enrol-refused" => "注册被拒",
            "login" => "登录",
            "login-refused" => "登录被拒",
            "logout" => "退出",
            "user-add" => "添加用户",
            "user-enable" => "启用用户",
            "user-disable" => "停用用户",
            "release-download" => "下载试卷发布",
            "release-refused" => "发布下载被拒",
            "download-refused" => "下载被拒",
            "upload" => "上传",
            "upload-refused" => "上传被拒",
            "totp-begin" => "开始设置动态口令",
            "totp-on" => "启用动态口令",
            "totp-off" => "停用动态口令",
            "totp-refused" => "动态口令不正确",
            "totp-reset" => "重置动态口令",
            other => other,
        }
    }
}

/// The bureau operator's view of the portal: the crossings so far, the organisations and
/// their people, what waits for the next inbox, the newest log entries and whether the log's
/// chain holds.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    /// The newest outbox imported: (sequence, when imported).
    pub outbox: Option<(i64, String)>,
    /// The newest inbox exported.
    pub inbox: Option<i64>,
    pub waiting: i64,
    pub organisations: Vec<OrgState>,
    pub log: Vec<LogRow>,
    /// The log's length when its chain holds, or where it breaks.
    pub log_check: Result<u64, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_states_follow_the_code_row() {
        assert_eq!(Enrolment::of(false, false, false), Enrolment::NoCode);
        assert_eq!(Enrolment::of(true, false, false), Enrolment::Issued);
        assert_eq!(Enrolment::of(true, false, true), Enrolment::Expired);
        assert_eq!(Enrolment::of(true, true, true), Enrolment::Enrolled);
    }
}
