//! Sitting plan files (`[sitting]`, `[[paper]]`, `[[organisation]]`): parsing and the checks
//! that need nothing but the file itself, with `file:line` diagnostics. Checks against the
//! catalog and the blueprints happen in `ops::sitting`.

use super::validate::Sink;
use super::{Diagnostic, FORMAT, Lines, SourceFile};
use crate::model::{
    Participant, PlannedPaper, SittingPlan, is_valid_sitting_id, parse_occupation_level,
};
use serde::Deserialize;
use std::collections::BTreeSet;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: Spanned<u32>,
    sitting: Spanned<Head>,
    #[serde(default)]
    paper: Vec<Spanned<Paper>>,
    #[serde(default)]
    organisation: Vec<Spanned<Org>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    id: Spanned<String>,
    title: String,
    start: Spanned<toml::value::Datetime>,
    end: Spanned<toml::value::Datetime>,
    /// When the answer keys are released (default: `end`).
    #[serde(default)]
    keys_release: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    seed: Option<u64>,
    blueprints: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Paper {
    blueprint: String,
    #[serde(default)]
    forms: Option<Spanned<u32>>,
    #[serde(default)]
    cooldown: Option<Spanned<u32>>,
    #[serde(default)]
    cooldown_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Org {
    id: String,
    runs: Vec<Spanned<String>>,
}

fn time(
    sink: &mut Sink,
    v: &Spanned<toml::value::Datetime>,
    what: &str,
) -> Option<jiff::Timestamp> {
    match v.get_ref().to_string().parse::<jiff::Timestamp>() {
        Ok(t) => Some(t),
        Err(_) => {
            sink.span(
                v,
                format!(
                    "{what} must be a date and time with its offset, e.g. 2026-12-12T09:00:00+08:00"
                ),
            );
            None
        }
    }
}

/// Parses a sitting plan, reporting every problem found in the file itself.
pub fn parse_sitting(file: &SourceFile) -> Result<SittingPlan, Vec<Diagnostic>> {
    let mut sink = Sink {
        file,
        lines: Lines::new(&file.text),
        out: Vec::new(),
    };
    let f: File = match toml::from_str(&file.text) {
        Ok(f) => f,
        Err(e) => {
            sink.at(
                super::error_offset(&e, &sink.file.text),
                super::toml_message(&e),
            );
            return Err(sink.out);
        }
    };
    if *f.format.get_ref() != FORMAT {
        sink.span(&f.format, format!("format must be {FORMAT}"));
    }
    let head_at = f.sitting.span().start;
    let head = f.sitting.into_inner();
    if !is_valid_sitting_id(head.id.get_ref()) {
        sink.span(
            &head.id,
            "sitting id must be 3–48 ASCII letters, digits, '-' or '_'",
        );
    }
    let start = time(&mut sink, &head.start, "start");
    let end = time(&mut sink, &head.end, "end");
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        sink.span(&head.end, "end must be after start");
    }
    if let Some(k) = &head.keys_release
        && let (Some(s), Some(kt)) = (start, time(&mut sink, k, "keys_release"))
        && kt < s
    {
        sink.span(
            k,
            "keys_release must not be before start (the answer keys open at or after the papers)",
        );
    }
    if head.blueprints.is_empty() {
        sink.at(head_at, "blueprints must name at least one folder or file");
    }
    if f.paper.is_empty() {
        sink.at(head_at, "the plan has no [[paper]]");
    }
    if f.organisation.is_empty() {
        sink.at(head_at, "the plan has no [[organisation]]");
    }
    let mut papers = Vec::new();
    let mut seen = BTreeSet::new();
    let mut relaxed = 0;
    for p in &f.paper {
        let line = sink.lines.line(p.span().start);
        let pv = p.get_ref();
        if !seen.insert(pv.blueprint.clone()) {
            sink.span(p, format!("blueprint {} is listed twice", pv.blueprint));
        }
        if let Some(n) = &pv.forms
            && !(1..=26).contains(n.get_ref())
        {
            sink.span(n, "forms must be 1..=26");
        }
        let reason = pv
            .cooldown_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        match (&pv.cooldown, reason) {
            (Some(c), None) => sink.span(
                c,
                format!(
                    "{}: a relaxed cooldown needs cooldown_reason (recorded in the sitting and the audit log)",
                    pv.blueprint
                ),
            ),
            (None, Some(_)) => sink.span(
                p,
                format!("{}: cooldown_reason without cooldown", pv.blueprint),
            ),
            (Some(_), Some(_)) => {
                relaxed += 1;
                if relaxed > 1 {
                    sink.span(p, "only one paper of a plan may relax its cooldown");
                }
            }
            (None, None) => {}
        }
        papers.push(PlannedPaper {
            blueprint: pv.blueprint.clone(),
            forms: pv.forms.as_ref().map(|n| *n.get_ref()),
            cooldown: pv.cooldown.as_ref().map(|n| *n.get_ref()),
            cooldown_reason: reason.map(str::to_string),
            line,
        });
    }
    let mut organisations = Vec::new();
    let mut seen = BTreeSet::new();
    for o in &f.organisation {
        let line = sink.lines.line(o.span().start);
        let ov = o.get_ref();
        if !seen.insert(ov.id.clone()) {
            sink.span(o, format!("organisation {} is listed twice", ov.id));
        }
        let mut runs = Vec::new();
        let mut listed = BTreeSet::new();
        for r in &ov.runs {
            match parse_occupation_level(r.get_ref()) {
                Some(x) if listed.insert(x.clone()) => runs.push(x),
                Some(_) => sink.span(r, format!("{} is listed twice", r.get_ref())),
                None => sink.span(
                    r,
                    format!(
                        "`{}` is not an occupation/level such as 6-31-01-03/4, nor a 专项职业能力 code alone (不分等级) such as S3200001",
                        r.get_ref()
                    ),
                ),
            }
        }
        if runs.is_empty() {
            sink.span(o, format!("organisation {} runs nothing", ov.id));
        }
        organisations.push(Participant {
            id: ov.id.clone(),
            runs,
            line,
        });
    }
    if !sink.out.is_empty() {
        return Err(sink.out);
    }
    Ok(SittingPlan {
        id: head.id.into_inner(),
        title: head.title,
        start: head.start.get_ref().to_string(),
        end: head.end.get_ref().to_string(),
        keys_release: head.keys_release.as_ref().map(|k| k.get_ref().to_string()),
        seed: head.seed,
        blueprints: head.blueprints,
        papers,
        organisations,
    })
}
