//! `qbank sitting PLAN --out DIR`, `qbank sittings`, `qbank release`, `qbank unseal`,
//! `qbank trace`

use crate::cli::Global;
use crate::output::Bar;
use qbank::Result;
use qbank::ops::sitting;
use std::path::Path;
use std::process::ExitCode;

pub fn check(g: &Global, plan: &Path) -> Result<ExitCode> {
    let r = sitting::check(&g.store()?, plan)?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!("plan {} is valid; nothing was assembled", r.sitting);
    for p in &r.papers {
        let relaxed = match &p.cooldown_reason {
            Some(why) => format!(
                "，本次冷却期由 {} 放宽为 {}（理由：{why}）",
                p.blueprint_cooldown, p.cooldown
            ),
            None => String::new(),
        };
        match &p.sustain {
            Some(s) => crate::outln!(
                "  {}: {}；台账现排除 {} 题{relaxed}",
                p.blueprint,
                s.words(),
                p.excluded
            ),
            None => crate::outln!("  {}: 操作技能/答辩，不按试题计数{relaxed}", p.blueprint),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(g: &Global, plan: &Path, out: &Path) -> Result<ExitCode> {
    let r = sitting::run(&g.store()?, plan, out, &Bar::new())?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    if r.completed {
        crate::outln!(
            "sitting {} was sealed from this plan (seed {}) but its folder was not yet in place: {} now holds its {} package(s)",
            r.sitting,
            r.seed,
            r.out.display(),
            r.packages.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if r.already {
        crate::outln!(
            "sitting {} was already sealed from this plan (seed {}); nothing changed",
            r.sitting,
            r.seed
        );
        crate::outln!(
            "its packages were written to the folder given then; run `qbank sittings` to list sittings"
        );
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "sitting {} · seed {} · bank {}",
        r.sitting,
        r.seed,
        r.bank_digest
    );
    for (bp, forms) in &r.papers {
        crate::outln!("  {bp}: {forms} form(s)");
    }
    crate::outln!(
        "sealed packages (HPKE to each organisation's key, plus the sitting's release key):"
    );
    for p in &r.packages {
        crate::outln!(
            "  {}  {} copies  sha256 {}",
            r.out.join(&p.file).display(),
            p.copies.len(),
            &p.sha256[..16]
        );
    }
    crate::outln!("public summary {}", r.out.join("sitting.json").display());
    crate::outln!("bureau public key {}", r.out.join("bureau.pub").display());
    crate::outln!(
        "quality reports {} · release at the start with `qbank release {} --out FILE`",
        r.out.join("reports").display(),
        r.sitting
    );
    Ok(ExitCode::SUCCESS)
}

pub fn list(g: &Global) -> Result<ExitCode> {
    let all = sitting::list(&g.store()?)?;
    if g.json {
        crate::output::json(&all);
        return Ok(ExitCode::SUCCESS);
    }
    for s in &all {
        crate::outln!(
            "{}  {}  start {}  {} organisation(s)  papers {}  {}",
            s.sitting,
            s.title,
            s.start,
            s.organisations,
            s.papers.join(","),
            match &s.released {
                Some(t) => format!("released {t}"),
                None => "sealed".into(),
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn release(
    g: &Global,
    id: &str,
    out: &Path,
    keys: bool,
    early: Option<&str>,
) -> Result<ExitCode> {
    if keys {
        return release_keys(g, id, out, early);
    }
    let r = sitting::release(&g.store()?, id, out, early)?;
    if g.json {
        crate::output::json(&r);
    } else if r.again {
        crate::outln!(
            "sitting {} was released at {}; the same signed release was written to {}",
            r.sitting,
            r.released_at,
            r.file.display()
        );
    } else {
        crate::outln!(
            "sitting {} released at {}{}: {}",
            r.sitting,
            r.released_at,
            if r.early { " (EARLY, audited)" } else { "" },
            r.file.display()
        );
    }
    if !g.json && !r.withheld.is_empty() {
        crate::outln!(
            "发布文件不含已暂停机构的发布密钥：{}（其封装包无法打开）",
            r.withheld.join("、")
        );
    }
    if !g.json
        && let Some(t) = &r.keys_at
    {
        crate::outln!(
            "此发布只开启试卷；答案与评分标准于 {t} 起以 `qbank release {} --keys --out FILE` 另行发布",
            r.sitting
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn release_keys(g: &Global, id: &str, out: &Path, early: Option<&str>) -> Result<ExitCode> {
    let r = sitting::release_keys(&g.store()?, id, out, early)?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    if r.again {
        crate::outln!(
            "考试批次 {} 的答案发布已于 {} 签发；同一答案发布文件已重新写入 {}",
            r.sitting,
            r.released_at,
            r.file.display()
        );
    } else {
        crate::outln!(
            "考试批次 {} 的答案与评分标准已于 {} 发布{}：{}",
            r.sitting,
            r.released_at,
            if r.early {
                "（提前发布，已记入审计）"
            } else {
                ""
            },
            r.file.display()
        );
    }
    if !r.withheld.is_empty() {
        crate::outln!(
            "答案发布文件不含已暂停机构的密钥：{}（其答案部分无法打开）",
            r.withheld.join("、")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn unseal(
    g: &Global,
    package: &Path,
    org_key: &Path,
    (release, keys_release): (&Path, Option<&Path>),
    bureau_key: Option<&Path>,
    out: &Path,
) -> Result<ExitCode> {
    crate::cli::warn_key_file(org_key);
    let r = sitting::unseal_with(package, org_key, release, keys_release, bureau_key, out)?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "package for {} verified (bureau signature by the pinned key, release, content digests) and opened:",
        r.organisation
    );
    for p in &r.papers {
        crate::outln!(
            "  {}/F{:02}  {} {} {}  copy {}",
            r.out.join(&p.blueprint).display(),
            p.form,
            p.occupation,
            p.level
                .level()
                .map_or_else(|| p.level.to_string(), |l| format!("{}级", l.code())),
            if p.kind == "theory" {
                "理论知识"
            } else {
                "操作技能"
            },
            p.copy
        );
    }
    match (&r.keys_at, r.keys_opened) {
        (Some(_), true) => crate::outln!("答案与评分标准已用答案发布文件开启"),
        (Some(t), false) => crate::outln!(
            "答案部分未开启（{} 个文件未写出）：答案与评分标准于答案发布时间 {t} 起随答案发布文件开启（--keys-release）",
            r.keys_shut
        ),
        (None, _) => {}
    }
    crate::outln!("{} document(s) in {}", r.documents.len(), r.out.display());
    Ok(ExitCode::SUCCESS)
}

pub fn trace(g: &Global, leaked: &Path, sittings: &[String]) -> Result<ExitCode> {
    let text = std::fs::read_to_string(leaked)
        .map_err(|e| qbank::Error::Usage(format!("cannot read {}: {e}", leaked.display())))?;
    let (searched, r) = sitting::trace_leak(&g.store()?, &text, sittings)?;
    if g.json {
        crate::output::json(&r);
        return Ok(if r.consistent.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    crate::outln!(
        "{} question(s) of sitting(s) {} found in {}",
        r.found.len(),
        searched.join(", "),
        leaked.display()
    );
    match r.consistent.len() {
        0 => crate::outln!("no single copy matches everything observed; closest copies:"),
        1 => crate::outln!(
            "the text can only come from copy {} of sitting {}:",
            r.consistent[0],
            r.ranking[0].sitting
        ),
        n => crate::outln!("the text is consistent with {n} copies:"),
    }
    for m in r.ranking.iter().take(5) {
        crate::outln!(
            "  {} of {} ({}): holds {}/{} found questions, at positions {}; order agrees on {}/{} consecutive pairs; option order agrees on {}/{} choice questions{}",
            m.copy,
            m.sitting,
            m.organisation,
            m.held,
            r.found.len(),
            positions(&m.positions),
            m.order_agree,
            m.order_pairs,
            m.options_agree,
            m.options_seen,
            if m.consistent { "  ← consistent" } else { "" }
        );
    }
    Ok(if r.consistent.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn positions(p: &[usize]) -> String {
    let shown: Vec<String> = p.iter().take(12).map(|x| x.to_string()).collect();
    if p.len() > 12 {
        format!("{} … ({} in all)", shown.join(" "), p.len())
    } else {
        shown.join(" ")
    }
}
