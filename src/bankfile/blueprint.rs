//! Blueprint files (`[blueprint]` + `[[section]]` or `[[module]]`): parsing and validation
//! against the occupation's standard, with `file:line` diagnostics.

use super::validate::{Located, MAX_MINUTES, Sink};
use crate::model::{
    Blueprint, BlueprintKind, Choice, DifficultyGoal, Grade, Level, MAX_FORMS, ModuleRule,
    OccupationCode, Section, Standard, TalentCategory,
};
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    format: u32,
    blueprint: Spanned<Head>,
    #[serde(default)]
    section: Vec<Spanned<Section>>,
    #[serde(default)]
    module: Vec<Spanned<ModuleIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Head {
    id: Spanned<String>,
    occupation: Spanned<OccupationCode>,
    /// Absent for a 专项职业能力 (no levels); required otherwise.
    level: Option<Spanned<Level>>,
    kind: Spanned<String>,
    minutes: Spanned<u32>,
    #[serde(default = "one")]
    forms: Spanned<u32>,
    #[serde(default)]
    max_overlap: Option<Spanned<f64>>,
    #[serde(default)]
    cooldown: u32,
    #[serde(default)]
    max_exposures: Option<Spanned<u32>>,
    #[serde(default)]
    overlay: Option<Spanned<String>>,
    #[serde(default)]
    difficulty: Option<Spanned<DifficultyGoal>>,
    #[serde(default)]
    importance_x_min: Option<Spanned<f64>>,
    #[serde(default)]
    site: Option<Vec<String>>,
    #[serde(default)]
    talent: Option<TalentCategory>,
    #[serde(default)]
    defence_topics: Option<Spanned<u32>>,
    /// 综合评审: a set of defence topics only, no practical tasks (二级/一级).
    #[serde(default)]
    defence_only: Option<Spanned<bool>>,
}

/// The most items one section of a theory paper may ask for.
const MAX_SECTION_ITEMS: u32 = 1000;
/// The most defence topics one set may draw.
const MAX_DEFENCE_TOPICS: u32 = 100;

fn one() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleIn {
    function: String,
    choice: String,
}

pub(super) fn parse(
    sink: &mut Sink,
    standards: &HashMap<&OccupationCode, &Standard>,
) -> Option<Located<Blueprint>> {
    let f: File = match toml::from_str(&sink.file.text) {
        Ok(f) => f,
        Err(e) => {
            sink.at(
                super::error_offset(&e, &sink.file.text),
                super::toml_message(&e),
            );
            return None;
        }
    };
    let at = f.blueprint.span().start;
    let head = f.blueprint.into_inner();
    let before = sink.out.len();
    let occupation = head.occupation.get_ref().clone();
    let Some(std) = standards.get(&occupation).copied() else {
        sink.span(
            &head.occupation,
            format!(
                "no standard for occupation {occupation}: check it together with its standard.toml"
            ),
        );
        return None;
    };
    let level = match &head.level {
        Some(l) if std.is_unleveled() => {
            sink.span(
                l,
                format!("{occupation} 是专项职业能力考核规范，不分等级：蓝图不写 level"),
            );
            Grade::Unleveled
        }
        None if std.is_unleveled() => Grade::Unleveled,
        None => {
            sink.at(
                at,
                format!("缺少 level：{occupation} 的蓝图须写明等级（如 level = 4）"),
            );
            return None;
        }
        Some(l) => {
            if !std.occupation.levels.contains(l.get_ref()) {
                sink.span(
                    l,
                    format!(
                        "occupation {occupation} does not use level {}",
                        l.get_ref().grade_name()
                    ),
                );
            }
            Grade::Level(*l.get_ref())
        }
    };
    if !crate::model::is_valid_file_id(head.id.get_ref()) {
        sink.span(
            &head.id,
            format!(
                "blueprint id `{}` must be 1–64 letters, digits, '-', '_' or '.', starting with a letter or digit (it names the output folder)",
                head.id.get_ref()
            ),
        );
    }
    if !(1..=MAX_MINUTES).contains(head.minutes.get_ref()) {
        sink.span(
            &head.minutes,
            format!("minutes must be between 1 and {MAX_MINUTES}"),
        );
    }
    if !(1..=MAX_FORMS).contains(head.forms.get_ref()) {
        sink.span(
            &head.forms,
            format!("forms must be between 1 and {MAX_FORMS}"),
        );
    }
    let max_overlap = head.max_overlap.as_ref().map_or(1.0, |o| *o.get_ref());
    if let Some(o) = head
        .max_overlap
        .as_ref()
        .filter(|o| !(0.0..=1.0).contains(o.get_ref()))
    {
        sink.span(
            o,
            "max_overlap is a share between 0 and 1 (e.g. 0.2 = at most 20 % of items shared)",
        );
    }
    if let Some(m) = head.max_exposures.as_ref().filter(|m| *m.get_ref() == 0) {
        sink.span(
            m,
            "max_exposures must be at least 1 (the number of sittings an item may appear in)",
        );
    }
    if let Some(o) = head
        .overlay
        .as_ref()
        .filter(|o| !crate::model::is_valid_org_id(o.get_ref()))
    {
        sink.span(
            o,
            "overlay names an enterprise by its registration id (e.g. Y000132050002)",
        );
    }
    let kind = match head.kind.get_ref().as_str() {
        "theory" => {
            let mut sections: Vec<Section> = Vec::new();
            for s in &f.section {
                let v = s.get_ref();
                let in_range = (1..=MAX_SECTION_ITEMS).contains(&v.count)
                    && v.points > 0.0
                    && v.points <= 100.0;
                if !in_range {
                    sink.span(
                        s,
                        format!(
                            "section {}: count must be 1..={MAX_SECTION_ITEMS} and points above 0 and at most 100",
                            v.item_type
                        ),
                    );
                }
                if sections.iter().any(|t| t.item_type == v.item_type) {
                    sink.span(
                        s,
                        format!(
                            "section {} appears twice; give one section per type",
                            v.item_type
                        ),
                    );
                }
                sections.push(v.clone());
            }
            if sections.is_empty() {
                sink.at(
                    at,
                    "a theory blueprint needs [[section]] entries (type, count, points)",
                );
            }
            let total: f64 = sections.iter().map(|s| f64::from(s.count) * s.points).sum();
            if !sections.is_empty() && (total - 100.0).abs() > 1e-9 {
                sink.at(at, format!("sections add up to {total} points, not 100"));
            }
            if let Some(d) = &head.difficulty {
                let g = d.get_ref();
                let parts = [g.easy, g.medium, g.hard];
                let given = parts.iter().filter(|x| x.is_some()).count();
                if given != 0 && given != 3 {
                    sink.span(
                        d,
                        "a difficulty mix gives all of easy, medium and hard (percent)",
                    );
                }
                // NaN and infinity fail `(0.0..=100.0).contains`: they are refused here
                if parts.iter().flatten().any(|x| !(0.0..=100.0).contains(x))
                    || (given == 3 && parts.iter().flatten().sum::<f64>() <= 0.0)
                {
                    sink.span(
                        d,
                        "difficulty percentages must lie between 0 and 100 and not all be zero",
                    );
                }
                if g.mean_p.is_some_and(|p| !(p > 0.0 && p < 1.0)) {
                    sink.span(
                        d,
                        "mean_p is an expected proportion correct between 0 and 1",
                    );
                }
                if given == 0 && g.mean_p.is_none() {
                    sink.span(d, "give a difficulty mix (easy, medium, hard) or mean_p");
                }
            }
            if let Some(x) = head
                .importance_x_min
                .as_ref()
                .filter(|x| !(0.0..=100.0).contains(x.get_ref()))
            {
                sink.span(x, "importance_x_min is a percentage of points (0–100)");
            }
            if !f.module.is_empty() {
                sink.span(&f.module[0], "[[module]] belongs to practical blueprints");
            }
            BlueprintKind::Theory {
                sections,
                difficulty: head.difficulty.map(Spanned::into_inner),
                importance_x_min: head.importance_x_min.map(Spanned::into_inner),
            }
        }
        "practical" => {
            let mut modules = Vec::new();
            let mut listed = std::collections::HashSet::new();
            for m in &f.module {
                let v = m.get_ref();
                let Some(choice) = Choice::parse(&v.choice) else {
                    sink.span(
                        m,
                        format!(
                            "module {}: choice `{}` is neither 必考 nor N选一 (二选一, 三选一, …)",
                            v.function, v.choice
                        ),
                    );
                    continue;
                };
                if std.weight(&std.skill_weights, &v.function, level).is_none() {
                    sink.span(
                        m,
                        format!(
                            "module {} is not assessed in the skill weight table at {}",
                            v.function,
                            level.grade_name()
                        ),
                    );
                }
                if !listed.insert(v.function.as_str()) {
                    sink.span(m, format!("module {} appears twice", v.function));
                }
                modules.push(ModuleRule {
                    function: v.function.clone(),
                    choice,
                });
            }
            let defence_only = head.defence_only.as_ref().is_some_and(|d| *d.get_ref());
            if let Some(d) = head.defence_only.as_ref().filter(|d| *d.get_ref()) {
                if !f.module.is_empty() {
                    sink.span(&f.module[0], "a defence_only blueprint has no [[module]]");
                }
                if head
                    .defence_topics
                    .as_ref()
                    .is_none_or(|t| *t.get_ref() == 0)
                {
                    sink.span(d, "a defence_only blueprint needs defence_topics ≥ 1");
                }
            }
            if f.module.is_empty() && !defence_only {
                // Default: every module of the skill weight table, compulsory.
                modules = std
                    .skill_modules(level)
                    .into_iter()
                    .map(|(f, _)| ModuleRule {
                        function: f.to_string(),
                        choice: Choice::Compulsory,
                    })
                    .collect();
            }
            if !f.section.is_empty() {
                sink.span(&f.section[0], "[[section]] belongs to theory blueprints");
            }
            let defence_topics = head.defence_topics.as_ref().map_or(0, |d| *d.get_ref());
            if let Some(d) = head
                .defence_topics
                .as_ref()
                .filter(|d| *d.get_ref() > MAX_DEFENCE_TOPICS)
            {
                sink.span(
                    d,
                    format!("defence_topics must be at most {MAX_DEFENCE_TOPICS}"),
                );
            }
            if let Some(d) = head
                .defence_topics
                .as_ref()
                .filter(|d| *d.get_ref() > 0 && !level.has_defence())
            {
                sink.span(d, "defence topics (答辩) are drawn for 二级 and 一级 only");
            }
            BlueprintKind::Practical {
                modules,
                site: head.site,
                talent: head.talent,
                defence_topics,
            }
        }
        other => {
            sink.span(
                &head.kind,
                format!("kind `{other}` is neither theory nor practical"),
            );
            return None;
        }
    };
    if sink.out.len() > before {
        return None;
    }
    Some(Located {
        value: Blueprint {
            id: head.id.into_inner(),
            occupation,
            level,
            minutes: *head.minutes.get_ref(),
            forms: *head.forms.get_ref(),
            max_overlap,
            cooldown: head.cooldown,
            max_exposures: head.max_exposures.as_ref().map(|m| *m.get_ref()),
            overlay: head.overlay.as_ref().map(|o| o.get_ref().clone()),
            kind,
        },
        file: sink.file.path.clone(),
        line: sink.lines.line(at),
        declared_version: None,
    })
}
