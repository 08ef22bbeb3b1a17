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
