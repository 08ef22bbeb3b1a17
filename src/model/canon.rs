//! The canonical form digests are computed over: RFC 8785 JSON Canonicalization Scheme (JCS) of
//! a value's JSON, so a digest depends on the data, not on the order of a Rust struct's fields
//! or on `serde_json`'s formatting.
//!
//! The value is first turned into its JSON data model (`serde_json::Value`: the field names and
//! the omission of absent optional fields are those of the file formats, `banks/README.md`),
//! then written as RFC 8785 says: no whitespace; object members sorted by their names compared
//! as UTF-16 code units; strings with `"` `\` and the control characters escaped (`\b \f \n \r
//! \t`, others as `\u00xx`) and everything else as UTF-8; numbers as ECMAScript's
//! Number-to-string (`ryu-js`), integers that are exactly representable (|n| ≤ 2^53) as plain
//! decimals. Integers outside that range, which JCS cannot express, are written as plain
//! decimals too (qbank has none in digested data). Tested against the examples of RFC 8785.
//!
//! Digest schemes (the digest says which it is):
//! - scheme 1 (`serde_json` of the Rust struct), written by qbank before this module: a content
//!   hash or blueprint digest is 64 hex digits; kept for comparing with what earlier versions
//!   stored, never made for new data;
//! - scheme 2 (this canonical form): `jcs:` followed by 64 hex digits.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The prefix of a digest of scheme 2 (canonical JSON).
pub const JCS_PREFIX: &str = "jcs:";

/// The RFC 8785 canonical JSON of `value`.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let v = serde_json::to_value(value).expect("qbank's types serialise to JSON");
    let mut out = Vec::with_capacity(256);
    write(&v, &mut out);
    out
}

/// SHA-256 of `domain` ‖ 0 ‖ the canonical JSON of `value`.
pub fn canonical_sha256<T: Serialize + ?Sized>(domain: &str, value: &T) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(domain.as_bytes());
    h.update([0]);
    h.update(canonical_json(value));
    h.finalize().into()
}

/// A scheme-2 digest as text: `jcs:` and hex.
pub fn tagged(digest: [u8; 32]) -> String {
    format!("{JCS_PREFIX}{}", hex::encode(digest))
}

/// Whether a digest string is of scheme 2.
pub fn is_canonical(digest: &str) -> bool {
    digest.starts_with(JCS_PREFIX)
}

fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                // finite by construction: serde_json has no NaN or infinity
                let f = n.as_f64().unwrap_or(0.0);
                let mut b = ryu_js::Buffer::new();
                out.extend_from_slice(b.format(f).as_bytes());
            }
        }
        Value::String(s) => string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(x, out);
            }
            out.push(b']');
        }
        Value::Object(m) => {
            let mut members: Vec<(&String, &Value)> = m.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (k, x)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(k, out);
                out.push(b':');
                write(x, out);
            }
            out.push(b'}');
        }
    }
}

fn string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(json: &str) -> String {
        let v: Value = serde_json::from_str(json).unwrap();
        String::from_utf8(canonical_json(&v)).unwrap()
    }

    #[test]
    fn rfc_8785_section_3_2_2_example() {
        // RFC 8785 §3.2.2 (numbers, strings with escapes and non-ASCII, literals). The numbers
        // are f64 literals (the RFC's 333333333.33333329 is the same double): serde_json's
        // default parser rounds that text to a neighbouring double, and digests are made from
        // values in memory, never from re-parsed JSON text
        let input = serde_json::json!({
            "numbers": [333333333.333_333_3_f64, 1e30, 4.50, 2e-3, 1e-27],
            "string": "\u{20ac}$\u{f}\nA'B\"\\\\\"/",
            "literals": [null, true, false]
        });
        assert_eq!(
            String::from_utf8(canonical_json(&input)).unwrap(),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn rfc_8785_section_3_2_3_member_order_is_by_utf16_code_units() {
        // RFC 8785 §3.2.3: "\u20ac" (€) sorts after "\ud83d\ude00" (😀) in UTF-16, not in UTF-8
        let input = r#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#;
        let out = canon(input);
        let order: Vec<&str> = [
            "\\r",
            "1",
            "\u{80}",
            "\u{f6}",
            "\u{20ac}",
            "\u{1f600}",
            "\u{fb33}",
        ]
        .to_vec();
        let mut at = 0;
        for k in order {
            let p = out[at..]
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} in {out}"));
            at += p + 1;
        }
    }

    #[test]
    fn struct_field_order_does_not_change_the_digest() {
        #[derive(Serialize)]
        struct A {
            b: u32,
            a: &'static str,
        }
        #[derive(Serialize)]
        struct B {
            a: &'static str,
            b: u32,
        }
        assert_eq!(
            canonical_sha256("t", &A { b: 1, a: "题" }),
            canonical_sha256("t", &B { a: "题", b: 1 })
        );
        assert_eq!(
            canonical_json(&A { b: 1, a: "题" }),
            "{\"a\":\"题\",\"b\":1}".as_bytes()
        );
    }
}
