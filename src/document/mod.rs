//! The typed document model: every file qbank writes for a paper — theory papers and answer keys
//! (`theory.rs`), practical task sets with their marking schemes (`practical.rs`), defence topic
//! sets (`defence.rs`), organisation copies (`copy.json`, the `copy` field; `theory.rs`) and
//! quality reports (`quality.rs`) — as structs. The assembler builds them, copies permute them,
//! render reads them, verify loads them; nothing walks JSON by string keys.
//!
//! The JSON files stay the on-disk format, unchanged: [`to_bytes`] writes a document with its keys
//! in sorted order and pretty-printed, exactly as the files were written before these types
//! existed, so documents and manifests made by earlier code keep verifying. [`load`] reads one and
//! refuses a missing or mistyped field with an error naming the file and the field's path. Pure.

mod defence;
mod figure;
mod practical;
mod quality;
mod theory;

pub use defence::{PaperTopic, TopicReference};
pub use figure::DocFigure;
pub use practical::{
    PaperModule, PaperTask, PracticalKey, PracticalPaper, RubricMark, TaskMarking,
    split_examiner_text,
};
pub use quality::{
    FormQuality, PracticalReport, QualityReport, QualityTerms, QualityWeights, RowFit, SearchStats,
    SetModule, SetQuality, TheoryQuality, TheoryReport,
};
pub use theory::{
    CopyInfo, CopyQuestion, KeyAnswer, PaperItem, PaperSection, SchemeMark, TheoryKey, TheoryPaper,
    permute,
};

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Which kind of blueprint a paper or key was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Theory,
    Practical,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Theory => "theory",
            DocKind::Practical => "practical",
        }
    }
}

/// A form's paper and key, by kind.
#[derive(Clone, Debug, PartialEq)]
pub enum FormDocuments {
    Theory(TheoryPaper, TheoryKey),
    /// A practical task set, or a defence topic set (a practical set whose `defence` is not empty).
    Practical(PracticalPaper, PracticalKey),
}

/// What identifies a form's paper and key: the same fields head both files.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    /// Occupation code (职业编码), e.g. `6-31-01-03`.
    pub occupation: String,
    pub occupation_name: String,
    /// Level code 5..1 (`null` for a 专项职业能力, which has no level).
    pub level: crate::model::Grade,
    /// e.g. `四级/中级工`.
    pub level_name: String,
    pub kind: DocKind,
    pub blueprint: String,
    pub form: u32,
    /// The blueprint's time limit in minutes.
    pub minutes: u32,
    /// The standard's id, e.g. `GZB 6-31-01-03`.
    pub standard: String,
    /// Present in an organisation copy: whose copy it is.
    pub copy: Option<CopyInfo>,
}

/// Declares a document struct that starts with the [`Head`] fields (inline, so that a load error
/// names the exact field path: `serde(flatten)` would lose it), with `head()` to read them and
/// `headed(head)` to build the document with its own fields empty.
macro_rules! headed_document {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            pub occupation: String,
            pub occupation_name: String,
            #[serde(deserialize_with = "crate::model::Grade::deserialize_required")]
            pub level: crate::model::Grade,
            pub level_name: String,
            pub kind: $crate::document::DocKind,
            pub blueprint: String,
            pub form: u32,
            pub minutes: u32,
            pub standard: String,
            /// Whose organisation copy this is (absent in an assembled form).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub copy: Option<$crate::document::CopyInfo>,
            $($(#[$fm])* pub $f: $t,)*
        }

        impl $name {
            /// The identifying fields.
            pub fn head(&self) -> $crate::document::Head {
                $crate::document::Head {
                    occupation: self.occupation.clone(),
                    occupation_name: self.occupation_name.clone(),
                    level: self.level,
                    level_name: self.level_name.clone(),
                    kind: self.kind,
                    blueprint: self.blueprint.clone(),
                    form: self.form,
                    minutes: self.minutes,
                    standard: self.standard.clone(),
                    copy: self.copy.clone(),
                }
            }

            /// A document with `head` and its own fields empty (fill them with `..`).
            pub fn headed(head: $crate::document::Head) -> Self {
                let $crate::document::Head {
                    occupation, occupation_name, level, level_name, kind, blueprint, form,
                    minutes, standard, copy,
                } = head;
                $name {
                    occupation, occupation_name, level, level_name, kind, blueprint, form,
                    minutes, standard, copy,
                    $($f: Default::default(),)*
                }
            }
        }
    };
}
pub(crate) use headed_document;

/// A document's file bytes: keys sorted, pretty-printed, a final newline — the on-disk format of
/// every qbank JSON document.
pub fn to_bytes(doc: &impl Serialize) -> Vec<u8> {
    // through `Value` (a sorted map) so that keys are in the order earlier files have them
    let v = serde_json::to_value(doc).expect("documents serialise");
    let mut s = serde_json::to_vec_pretty(&v).expect("documents serialise");
    s.push(b'\n');
    s
}

/// Reads a document of kind `what` from `bytes` (the contents of `file`): a missing or mistyped
/// field is an [`Error::Document`] naming the file and the field's path.
pub fn load<T: DeserializeOwned>(bytes: &[u8], file: &str, what: &'static str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = inner.to_string();
        // a missing field is reported at its parent; name the field itself
        let field = match missing_field(&reason) {
            Some(f) if path == "." => f.to_string(),
            Some(f) => format!("{path}.{f}"),
            None => path,
        };
        Error::Document {
            file: file.to_string(),
            what,
            field,
            reason,
        }
    })
}

fn missing_field(reason: &str) -> Option<&str> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests;
