//! qbank: the encrypted provincial question bank for vocational skill certification
//! (职业技能等级认定) and the engine that works on it.
//!
//! Crate map, bottom-up (each layer uses only those above it in this list):
//! - [`text`]: column padding by display width (CJK counts two). Pure.
//! - [`model`]: domain types (levels and grades — a level, or none for a 专项职业能力 —, occupations, standards, items, tasks, topics). Pure.
//! - [`bankfile`]: the human-authored TOML bank format: parse, validate (`file:line` diagnostics),
//!   write back. Pure: text in, values or diagnostics out.
//! - [`document`]: the typed document model — theory papers and keys, practical and defence sets
//!   with their marking schemes, organisation copies, quality reports — as the JSON files are
//!   written and read (a missing or mistyped field refused naming file and field). Pure.
//! - [`exam`]: the 机考 — roster, per-candidate layouts, the hash-chained event log, its rules,
//!   marking, scoring and the results in the analysis format. Pure.
//! - [`render`]: printable HTML and Markdown from those documents, and the 机考's pages. Pure.
//! - [`synth`]: seeded synthetic banks for scale tests. Pure.
//! - [`store`]: the only code that touches the database and keys: key–value trait and sled
//!   backend, envelope encryption, record formats, the bank digest.
//! - [`ops`]: one function per user operation (init, check, import, export, list, show, status,
//!   gen, key rotation), reading files and calling the layers above.
//! - [`examserver`]: the thin HTTP front end of `qbank exam serve` over [`ops::exam`].
//! - `src/bin/qbank`: the thin CLI over [`ops`].
//!
//! Start reading at [`ops`] for what the tool does, [`store::Vault`] for how the bank is kept.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod assemble;
pub mod bankfile;
pub mod document;
pub mod error;
pub mod exam;
pub mod examserver;
pub mod model;
pub mod ops;
pub mod package;
pub mod portal;
pub mod portalserver;
pub mod render;
pub mod screen;
pub mod site;
pub mod store;
pub mod synth;
pub mod text;
pub mod trace;
pub mod web;

pub use error::{Error, Result};
