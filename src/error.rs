//! The library's error type. Messages say what went wrong, where (file, line, record, item id or
//! constraint) and what to do; they never contain question content or key material.

use crate::bankfile::Diagnostic;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bank files with problems; nothing was changed.
    #[error("发现 {} 个问题，未做任何改动：\n{}", .0.len(), render(.0))]
    Invalid(Vec<Diagnostic>),

    #[error("无法{} {}：{source}", zh_action(action), path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{} 处没有存储：请用 `qbank init` 创建，或用 --store / QBANK_STORE 指向已有的存储", .0.display())]
    NoStore(PathBuf),

    #[error("{} 处已有存储，拒绝覆盖", .0.display())]
    StoreExists(PathBuf),

    #[error("{} 处的存储正被另一个 qbank 进程使用，请等它结束", .0.display())]
    StoreLocked(PathBuf),

    #[error("未给出密钥：请用 --key-file 文件（或 QBANK_KEY_FILE），或设置 QBANK_PASSPHRASE")]
    NoKey,

    /// A passphrase variable that is set but empty (it would derive a guessable key).
    #[error("{0} 已设置但为空：请给出口令，或改用密钥文件（--key-file）")]
    EmptyPassphrase(&'static str),

    #[error("密钥文件 {}：{reason}", path.display())]
    KeyFile { path: PathBuf, reason: String },

    #[error(
        "密钥错误：给出的{}打不开该存储（该存储以{}创建）",
        zh_key(given),
        zh_key(expected)
    )]
    KeyKindMismatch {
        given: &'static str,
        expected: &'static str,
    },

    #[error("密钥错误：该{}解不开本存储的数据密钥；未读取或改动任何内容", zh_key(.0))]
    WrongKey(&'static str),

    /// Authentication failed for a record: altered, damaged, or moved from elsewhere.
    #[error(
        "记录 `{record}` 未通过认证：存储被改动或损坏（或该记录是从别处复制来的）；请从备份恢复"
    )]
    Tampered { record: String },

    /// Records that are not the ones the store's authenticated header names: an old record put
    /// back, or records deleted or added (rollback).
    #[error("存储中的记录已被回滚或改动：{0}。请运行 `qbank audit verify` 查看，并从可信备份恢复")]
    RolledBack(String),

    #[error("记录 `{record}` 格式错误：{reason}")]
    Corrupt { record: String, reason: String },

    #[error("存储格式 {found} 比本 qbank 支持的格式（{supported}）新；请升级 qbank")]
    StoreFormat { found: u32, supported: u32 },

    #[error("{} `{id}` 已存在；未做任何改动", zh_what(what))]
    Exists { what: &'static str, id: String },

    #[error("存储中没有{} `{id}`", zh_what(what))]
    NotFound { what: &'static str, id: String },

    #[error("存储引擎：{0}")]
    Storage(String),

    #[error("密码运算：{0}")]
    Crypto(String),

    #[error("{0}")]
    Usage(String),

    /// A sealed package or release that fails verification; nothing was written.
    #[error("已拒绝：{0}；未写入任何文件")]
    PackageRefused(String),

    #[error("此封装包属于机构 {package}，但给出的是机构 {key} 的密钥；未写入任何文件")]
    WrongOrgKey { package: String, key: String },

    #[error("{0}；未写入任何文件")]
    PackageKey(String),

    /// An operation that is not yet allowed at this time (e.g. a release before the start).
    #[error("{0}")]
    TooEarly(String),

    /// The audit log does not verify.
    #[error("审计日志：{0}")]
    Audit(String),

    /// A person's key is not a registered, unrevoked identity with the role needed (a review
    /// signed by an unregistered key, or by one person's key under another's name).
    #[error("身份被拒绝：{0}")]
    Identity(String),

    /// Blueprints that cannot be met; nothing was built.
    #[error("{}", .0.iter().map(|i| i.to_string()).collect::<String>())]
    Infeasible(Vec<crate::assemble::Infeasible>),

    /// A refusal of the file named (a package, release or submission), whose own message names
    /// what was refused but not where it came from. Exits as the error it holds.
    #[error("{}: {source}", file.display())]
    In { file: PathBuf, source: Box<Error> },

    /// A paper, answer key, copy or report file that does not hold what its kind of document
    /// must (a field missing or of the wrong type): refused, never printed with a gap.
    #[error("{file}: not a valid {what}: field `{field}`: {reason}")]
    Document {
        file: String,
        what: &'static str,
        field: String,
        reason: String,
    },

    /// An outside program qbank drives (Chromium printing a PDF) is missing, failed or hung.
    #[error("{0}")]
    Tool(String),
}

/// The verb of an [`Error::Io`] as users read it.
fn zh_action(action: &str) -> &str {
    match action {
        "read" => "读取",
        "write" => "写入",
        "list" => "列出",
        "rename" => "重命名",
        "remove" => "删除",
        "create" => "创建",
        "create directory" | "create folder" => "创建文件夹",
        "create key file" => "创建密钥文件",
        "write key file" => "写入密钥文件",
        "replace key file" => "替换密钥文件",
        "replace" => "替换",
        "sync" => "同步",
        "restrict" => "收紧权限",
        "move output into" => "将输出移入",
        other => other,
    }
}

/// How a key was given (`KeySource::describe`), as users read it.
fn zh_key(kind: &str) -> &str {
    match kind {
        "key file" => "密钥文件",
        "passphrase" => "口令",
        other => other,
    }
}

/// What was not found or already exists, as users read it.
fn zh_what(what: &str) -> &str {
    match what {
        "entry" => "条目",
        "organisation" => "机构",
        "person" => "人员",
        "queued item" => "审核队列中的试题",
        "sitting" => "考试批次",
        "exam database" => "考试记录库",
        other => other,
    }
}

fn render(d: &[Diagnostic]) -> String {
    d.iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The process exit code for this error (README.md, "Exit codes"), decided here, in the
    /// library, by an exhaustive match: a new variant cannot fall through to a default.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_)
            | Error::Usage(_)
            | Error::Infeasible(_)
            | Error::TooEarly(_)
            | Error::Document { .. } => 3,
            Error::NoStore(_)
            | Error::StoreExists(_)
            | Error::NotFound { .. }
            | Error::Exists { .. } => 4,
            Error::NoKey
            | Error::EmptyPassphrase(_)
            | Error::KeyFile { .. }
            | Error::KeyKindMismatch { .. }
            | Error::WrongKey(_)
            | Error::WrongOrgKey { .. }
            | Error::PackageKey(_)
            | Error::Identity(_) => 5,
            Error::Tampered { .. }
            | Error::RolledBack(_)
            | Error::Corrupt { .. }
            | Error::StoreFormat { .. }
            | Error::PackageRefused(_)
            | Error::Audit(_) => 6,
            Error::Io { .. }
            | Error::StoreLocked(_)
            | Error::Storage(_)
            | Error::Crypto(_)
            | Error::Tool(_) => 7,
            Error::In { source, .. } => source.exit_code(),
        }
    }

    /// Names the file a package, release or submission refusal is about (its message said what
    /// failed, not in which file). Errors about the store or the user's keys, and errors that
    /// already name a file, are left as they are; every new variant must say which it is.
    pub(crate) fn naming(self, path: &std::path::Path) -> Error {
        match self {
            Error::PackageRefused(m) => Error::PackageRefused(format!("{}: {m}", path.display())),
            Error::PackageKey(m) => Error::PackageKey(format!("{}: {m}", path.display())),
            e @ (Error::Usage(_)
            | Error::NotFound { .. }
            | Error::Exists { .. }
            | Error::WrongOrgKey { .. }
            | Error::Invalid(_)
            | Error::Infeasible(_)
            | Error::TooEarly(_)) => Error::In {
                file: path.to_path_buf(),
                source: Box::new(e),
            },
            e @ (Error::Io { .. }
            | Error::KeyFile { .. }
            | Error::In { .. }
            | Error::Document { .. }
            | Error::NoStore(_)
            | Error::StoreExists(_)
            | Error::StoreLocked(_)
            | Error::NoKey
            | Error::EmptyPassphrase(_)
            | Error::KeyKindMismatch { .. }
            | Error::WrongKey(_)
            | Error::Tampered { .. }
            | Error::RolledBack(_)
            | Error::Corrupt { .. }
            | Error::StoreFormat { .. }
            | Error::Storage(_)
            | Error::Crypto(_)
            | Error::Identity(_)
            | Error::Tool(_)
            | Error::Audit(_)) => e,
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
