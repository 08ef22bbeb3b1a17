//! The register of standards (`banks/standards-register.toml`): every standard the bank cites,
//! with its status (现行 / 废止 / 被替代), what replaced it and when it took effect. Parsed with
//! unknown fields refused and every problem at `file:line`.

use super::raw::RegisterFile;
use super::{Diagnostic, Lines, SourceFile};
use crate::model::{Citation, RegisteredStandard, StandardStatus, StandardsRegister};
use std::collections::HashMap;

/// Parses and checks a register file.
pub fn parse_register(file: &SourceFile) -> Result<StandardsRegister, Vec<Diagnostic>> {
    let lines = Lines::new(&file.text);
    let mut out = Vec::new();
    let mut at = |offset: usize, message: String| {
        out.push(Diagnostic {
            file: file.path.clone(),
            line: lines.line(offset),
            message,
        })
    };
    let rf: RegisterFile = match toml::from_str(&file.text) {
        Ok(r) => r,
        Err(e) => {
            at(super::error_offset(&e, &file.text), super::toml_message(&e));
            return Err(out);
        }
    };
    if rf.format != super::FORMAT {
        at(0, format!("format must be {}", super::FORMAT));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut standards = Vec::new();
    for r in rf.register {
        let start = r.span().start;
        let r = r.into_inner();
        let code = r.code.get_ref().trim().to_string();
        let named = Citation::parse(&code);
        if named.as_ref().is_none_or(|c| c.clause.is_some()) {
            at(
                r.code.span().start,
                format!(
                    "`{code}` is not a standard number such as `GB 50303-2015` (代号 编号-年份, no clause)"
                ),
            );
        }
        if let Some(first) = seen.insert(code.clone(), start) {
            at(
                start,
                format!(
                    "{code} is registered twice (first at line {})",
                    lines.line(first)
                ),
            );
        }
        if r.title.trim().is_empty() {
            at(start, format!("{code}: the title is empty"));
        }
        let replaced_by = r
            .replaced_by
            .as_ref()
            .map(|b| b.get_ref().trim().to_string());
        match (r.status, &replaced_by) {
            (StandardStatus::Replaced, None) => at(
                start,
                format!("{code}: a standard 被替代 names the one that replaced it (replaced_by)"),
            ),
            (StandardStatus::Current, Some(_)) => {
                at(start, format!("{code}: a standard 现行 has no replaced_by"))
            }
            _ => {}
        }
        if let (Some(by), Some(span)) = (&replaced_by, &r.replaced_by)
            && Citation::parse(by).is_none_or(|c| c.clause.is_some())
        {
            at(
                span.span().start,
                format!("{code}: replaced_by `{by}` is not a standard number"),
            );
        }
        let effective = r.effective.as_ref().and_then(|e| {
            let d = e.get_ref();
            match (d.date, d.time, d.offset) {
                (Some(date), None, None) => Some(date.to_string()),
                _ => {
                    at(
                        e.span().start,
                        format!("{code}: effective is a date (实施日期), e.g. 2016-08-01"),
                    );
                    None
                }
            }
        });
        standards.push(RegisteredStandard {
            code,
            title: r.title,
            status: r.status,
            replaced_by,
            effective,
        });
    }
    for s in &standards {
        if let Some(by) = &s.replaced_by
            && let Some(&offset) = seen.get(&s.code)
            && !seen.contains_key(by)
        {
            at(
                offset,
                format!(
                    "{}: the replacing standard {by} is not in the register",
                    s.code
                ),
            );
        }
    }
    if out.is_empty() {
        Ok(StandardsRegister { standards })
    } else {
        out.sort();
        Err(out)
    }
}
