//! Figures (插图) of bank entries: a diagram or photo an entry's text shows, with its bytes, so a
//! figure is content like any other (sealed in the vault, counted in the content hash).

use serde::{Deserialize, Serialize};

/// The image formats a figure may have, as sniffed from its bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    Svg,
    Png,
    Jpeg,
}

impl Media {
    /// The MIME type used in `data:` URIs.
    pub fn mime(self) -> &'static str {
        match self {
            Media::Svg => "image/svg+xml",
            Media::Png => "image/png",
            Media::Jpeg => "image/jpeg",
        }
    }
    /// The media a file name's extension claims (`.svg`, `.png`, `.jpg`/`.jpeg`), if any.
    pub fn of_name(name: &str) -> Option<Media> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(Media::Svg),
            "png" => Some(Media::Png),
            "jpg" | "jpeg" => Some(Media::Jpeg),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Media::Svg => "SVG",
            Media::Png => "PNG",
            Media::Jpeg => "JPEG",
        }
    }
}

/// One figure of an entry. Its text places it with `{{图N}}` (N counts the entry's figures
/// from 1); a figure no text places is printed after the stem (task text, topic).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// The file name relative to the bank file's folder (`fig/DG4-0412.svg`); export writes the
    /// bytes back there.
    pub file: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub caption: String,
    /// The printed width in millimetres (a hint; the page never grows wider than its column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    pub media: Media,
    /// The file's bytes (base64 in JSON).
    #[serde(with = "b64")]
    pub data: Vec<u8>,
}

/// Base64 (standard alphabet, padded) for byte fields of JSON records and documents.
pub mod b64 {
    use base64ct::{Base64, Encoding};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Base64::encode_string(bytes))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        Base64::decode_vec(&s).map_err(|_| serde::de::Error::custom("invalid base64"))
    }
    /// Base64 text of `bytes`.
    pub fn encode(bytes: &[u8]) -> String {
        Base64::encode_string(bytes)
    }
    /// The bytes of base64 text, or None.
    pub fn decode(s: &str) -> Option<Vec<u8>> {
        Base64::decode_vec(s).ok()
    }
}

/// The figure numbers `{{图N}}` references in `text`, in order, and whether some `{{图…`
/// is malformed (no closing `}}` or no number).
pub fn figure_refs(text: &str) -> (Vec<usize>, bool) {
    let mut out = Vec::new();
    let mut bad = false;
    let mut rest = text;
    while let Some(at) = rest.find("{{图") {
        let after = &rest[at + "{{图".len()..];
        match after.find("}}") {
            Some(end) => match after[..end].parse::<usize>() {
                Ok(n) if n >= 1 => out.push(n),
                _ => bad = true,
            },
            None => {
                bad = true;
                break;
            }
        }
        rest = after;
    }
    (out, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_and_malformed_ones_noticed() {
        assert_eq!(figure_refs("如{{图1}}与{{图2}}所示"), (vec![1, 2], false));
        assert_eq!(figure_refs("无图"), (vec![], false));
        assert!(figure_refs("{{图x}}").1);
        assert!(figure_refs("{{图0}}").1);
        assert!(figure_refs("见{{图1").1);
    }

    #[test]
    fn bytes_travel_as_base64_and_back() {
        let f = Figure {
            file: "fig/a.png".into(),
            caption: String::new(),
            width: None,
            media: Media::Png,
            data: vec![0, 1, 2, 255],
        };
        let j = serde_json::to_string(&f).unwrap();
        assert_eq!(j, r#"{"file":"fig/a.png","media":"png","data":"AAEC/w=="}"#);
        assert_eq!(serde_json::from_str::<Figure>(&j).unwrap(), f);
    }
}
