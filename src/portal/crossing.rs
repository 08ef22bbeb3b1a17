//! What the outbox and the inbox carry, typed: the vault writes an [`OutboxMeta`] with the parts
//! it names, the portal an [`InboxMeta`]; both travel in `package::bundle`'s signed manifest.
//! Nothing here is secret: sittings' public facts, packages and releases (sealed or signed),
//! Argon2id hashes of enrolment codes, and submission statuses without their questions.

use serde::{Deserialize, Serialize};

/// What a bundle part is; its `kind` string in the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartKind {
    /// The public catalog (`catalog.json`, as `catalog publish` writes it).
    Catalog,
    /// `bureau.pub`: the keys writers' and organisations' files are sealed to.
    BureauKey,
    /// A sealed package for one organisation (`.qpkg`).
    Package,
    /// A signed papers release.
    PapersRelease,
    /// A signed keys release.
    KeysRelease,
    /// An item writer's sealed submission (`.qsub`).
    Submission,
    /// An exam's results sealed to the bureau (`.qres`).
    Results,
    /// Supplementary questions sealed in the portal's page (`package::upload`).
    UploadSubmission,
    /// A response file sealed in the portal's page.
    UploadResponses,
    /// A feedback report sealed in the portal's page.
    UploadFeedback,
}

impl PartKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartKind::Catalog => "catalog",
            PartKind::BureauKey => "bureau-key",
            PartKind::Package => "package",
            PartKind::PapersRelease => "papers-release",
            PartKind::KeysRelease => "keys-release",
            PartKind::Submission => "submission",
            PartKind::Results => "results",
            PartKind::UploadSubmission => "upload-submission",
            PartKind::UploadResponses => "upload-responses",
            PartKind::UploadFeedback => "upload-feedback",
        }
    }
    /// The kind of a file sealed in the page, by what it holds.
    pub fn of_upload(k: crate::package::upload::UploadKind) -> PartKind {
        use crate::package::upload::UploadKind;
        match k {
            UploadKind::Submission => PartKind::UploadSubmission,
            UploadKind::Responses => PartKind::UploadResponses,
            UploadKind::Feedback => PartKind::UploadFeedback,
        }
    }
    /// What a file sealed in the page holds, for the kinds that are such files.
    pub fn upload_kind(self) -> Option<crate::package::upload::UploadKind> {
        use crate::package::upload::UploadKind;
        match self {
            PartKind::UploadSubmission => Some(UploadKind::Submission),
            PartKind::UploadResponses => Some(UploadKind::Responses),
            PartKind::UploadFeedback => Some(UploadKind::Feedback),
            _ => None,
        }
    }
    pub fn parse(s: &str) -> Option<PartKind> {
        [
            PartKind::Catalog,
            PartKind::BureauKey,
            PartKind::Package,
            PartKind::PapersRelease,
            PartKind::KeysRelease,
            PartKind::Submission,
            PartKind::Results,
            PartKind::UploadSubmission,
            PartKind::UploadResponses,
            PartKind::UploadFeedback,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// What people call it.
    pub fn name(self) -> &'static str {
        match self {
            PartKind::Catalog => "机构目录",
            PartKind::BureauKey => "鉴定中心公钥",
            PartKind::Package => "封装包",
            PartKind::PapersRelease => "试卷发布",
            PartKind::KeysRelease => "答案发布",
            PartKind::Submission => "补充试题",
            PartKind::Results => "机考成绩",
            PartKind::UploadSubmission => "补充试题（网页加密）",
            PartKind::UploadResponses => "作答数据（网页加密）",
            PartKind::UploadFeedback => "试题反馈（网页加密）",
        }
    }
}

/// A sitting as the portal shows it: public facts only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SittingInfo {
    pub id: String,
    pub title: String,
    /// RFC 3339, as the plan writes them.
    pub start: String,
    pub end: String,
    pub keys_at: String,
    /// Each organisation's package: (organisation, part name).
    pub packages: Vec<(String, String)>,
    /// The part names of the releases issued so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub papers_release: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_release: Option<String>,
}

/// A one-time code the bureau gave an organisation's administrator (by letter), as the portal
/// keeps it: its Argon2id hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub organisation: String,
    pub code_hash: String,
    pub issued: String,
    /// RFC 3339: the code is refused after this.
    pub expires: String,
}

/// What became of one upload in the vault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// The portal's upload id.
    pub upload: u64,
    pub organisation: String,
    pub accepted: bool,
    /// Chinese; for a refusal the file:row messages (rules, never the question text).
    pub message: String,
}

/// The outbox's meta.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxMeta {
    pub sittings: Vec<SittingInfo>,
    pub enrolments: Vec<Enrolment>,
    /// Outcomes of uploads the vault took in from earlier inboxes (every one, so a lost outbox
    /// loses nothing).
    pub receipts: Vec<Receipt>,
    /// The sequence number of the newest inbox the vault has imported (0: none).
    pub inbox_seq: u64,
}

/// One upload as the inbox carries it: who sent it, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    pub id: u64,
    /// The bundle part holding its (sealed) bytes.
    pub part: String,
    pub organisation: String,
    /// The portal user who uploaded it (login name).
    pub user: String,
    pub received: String,
    /// The file name the user gave.
    pub file_name: String,
}

/// The inbox's meta.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxMeta {
    pub portal: String,
    pub uploads: Vec<Upload>,
}
