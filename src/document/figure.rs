//! Figures as documents carry them: the `figures` list of a question, answer, task, marking sheet,
//! topic or reference (number, media type, bytes in base64, caption, width hint, and whether no
//! text places it), and which of an entry's figures a document gets. Pure.

use crate::model::{Figure, b64, figure_refs};
use serde::{Deserialize, Serialize};

/// One figure of an entry, as a paper or key holds it (inside the sealed package: its bytes are
/// content).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocFigure {
    /// The figure's number within its entry (图1, 图2…), as `{{图N}}` names it.
    pub n: usize,
    /// The media type sniffed from the bytes at `check`, e.g. `image/svg+xml`.
    pub media: String,
    /// The bytes, base64.
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Printed width in millimetres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// No text of the entry places it: printed after the stem (task text, topic).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after: bool,
}

impl DocFigure {
    /// The figures of `all` that `texts` place, and — with `unplaced` — those no text of the
    /// entry (`every`) places, marked `after`. Empty for an entry without figures. A figure only
    /// the key's texts place never reaches the paper.
    pub fn select(
        all: &[Figure],
        texts: &[&str],
        every: &[&str],
        unplaced: bool,
    ) -> Vec<DocFigure> {
        let used =
            |ts: &[&str]| -> Vec<usize> { ts.iter().flat_map(|t| figure_refs(t).0).collect() };
        let here = used(texts);
        let anywhere = used(every);
        all.iter()
            .enumerate()
            .filter_map(|(k, f)| {
                let n = k + 1;
                let after = unplaced && !anywhere.contains(&n);
                (here.contains(&n) || after).then(|| DocFigure {
                    n,
                    media: f.media.mime().to_string(),
                    data: b64::encode(&f.data),
                    caption: (!f.caption.is_empty()).then(|| f.caption.clone()),
                    width: f.width,
                    after,
                })
            })
            .collect()
    }
}
