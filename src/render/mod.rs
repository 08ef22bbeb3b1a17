//! Printable exam documents (HTML with print CSS, and GitHub-flavoured Markdown) rendered from
//! the typed papers and keys of `crate::document`. Pure functions: documents in, whole document
//! as a `String` out. A field a document lacks is refused when it is loaded, so nothing is ever
//! printed with a gap; "—" stands only for a value that is present but empty.

pub mod exam;
mod html;
mod markdown;
mod model;
pub mod portal;
pub mod results;
mod rich;
mod sheet;
#[cfg(test)]
mod tests;

pub use html::{
    defence_html, defence_key_html, practical_marking_html, practical_notice_html,
    practical_tasks_html, theory_key_html, theory_paper_html,
};
pub use markdown::{
    defence_key_md, defence_md, practical_marking_md, practical_notice_md, practical_tasks_md,
    theory_key_md, theory_paper_md,
};
pub use sheet::theory_answer_sheet_html;

/// Who and what a printed copy is for; printed in headers and footers.
pub struct DocHeader<'a> {
    pub title: &'a str,   // sitting title, e.g. "2026年12月江苏省职业技能等级认定"
    pub sitting: &'a str, // sitting id, e.g. "JS-2026-12-DG"
    pub organisation: &'a str, // e.g. "S000032100001 南京市某职业技能培训学校"
    pub copy: &'a str,    // copy code, e.g. "S000032100001-F01", printed small in every footer
    pub date: &'a str,    // e.g. "2026-12-12 09:00"
}
