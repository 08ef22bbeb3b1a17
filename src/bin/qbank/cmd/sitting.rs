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
    crate::outln!("考试批次计划 {} 有效；未组卷，未写入任何文件", r.sitting);
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
            "考试批次 {0} 已按此计划封装（种子 {1}），但输出文件夹尚未就位：现已将其 {3} 个封装包放入 {2}",
            r.sitting,
            r.seed,
            r.out.display(),
            r.packages.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if r.already {
        crate::outln!(
            "考试批次 {} 此前已按此计划封装（种子 {}），本次未做任何改动",
            r.sitting,
            r.seed
        );
        crate::outln!("其封装包已写入当时指定的文件夹；用 `qbank sittings` 列出全部考试批次");
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!(
        "考试批次 {} · 种子 {} · 题库 {}",
        r.sitting,
        r.seed,
        r.bank_digest
    );
    for (bp, forms) in &r.papers {
        crate::outln!("  {bp}：{forms} 套");
    }
    crate::outln!("封装包（以 HPKE 加密给各机构的公钥，开启时另需本批次的发布密钥）：");
    for p in &r.packages {
        crate::outln!(
            "  {}  {} 份  sha256 {}",
            r.out.join(&p.file).display(),
            p.copies.len(),
            &p.sha256[..16]
        );
    }
    crate::outln!("公开摘要 {}", r.out.join("sitting.json").display());
    crate::outln!("鉴定中心公钥 {}", r.out.join("bureau.pub").display());
    crate::outln!(
        "质量报告 {} · 开考时用 `qbank release {} --out 文件` 发布",
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
    let mut rows = vec![
        ["考试批次", "名称", "开考时间", "机构数", "试卷", "状态"]
            .map(String::from)
            .to_vec(),
    ];
    for s in &all {
        rows.push(vec![
            s.sitting.clone(),
            s.title.clone(),
            s.start.clone(),
            s.organisations.to_string(),
            s.papers.join(","),
            match &s.released {
                Some(t) => format!("已于 {t} 发布"),
                None => "已封装，未发布".into(),
            },
        ]);
    }
    for l in qbank::text::table(&rows, &[3]) {
        crate::outln!("{l}");
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
            "考试批次 {} 已于 {} 发布；已将同一份签名发布文件写入 {}",
            r.sitting,
            r.released_at,
            r.file.display()
        );
    } else {
        crate::outln!(
            "考试批次 {} 已于 {} 发布{}：{}",
            r.sitting,
            r.released_at,
            if r.early {
                "（提前发布，已记入审计日志）"
            } else {
                ""
            },
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
        "机构 {} 的封装包已验证（固定的鉴定中心公钥签名、发布文件、内容摘要）并打开：",
        r.organisation
    );
    for p in &r.papers {
        crate::outln!(
            "  {}/F{:02}  {} {} {}  副本 {}",
            r.out.join(&p.blueprint).display(),
            p.form,
            p.occupation,
            p.level,
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
    crate::outln!(
        "共 {} 个文件，已解封至 {}",
        r.documents.len(),
        r.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn trace(g: &Global, leaked: &Path, sittings: &[String]) -> Result<ExitCode> {
    let text = std::fs::read_to_string(leaked)
        .map_err(|e| qbank::Error::Usage(format!("无法读取 {}：{e}", leaked.display())))?;
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
        "在 {2} 中找到考试批次 {1} 的 {0} 道试题",
        r.found.len(),
        searched.join(", "),
        leaked.display()
    );
    match r.consistent.len() {
        0 => crate::outln!("没有一份副本与所见内容完全一致；最接近的副本："),
        1 => crate::outln!(
            "该文本只可能来自考试批次 {1} 的副本 {0}：",
            r.consistent[0],
            r.ranking[0].sitting
        ),
        n => crate::outln!("该文本与 {n} 份副本一致："),
    }
    for m in r.ranking.iter().take(5) {
        crate::outln!(
            "  {}（考试批次 {}，机构 {}）：含所见试题 {}/{} 道，题号 {}；相邻题序一致 {}/{} 对；选项顺序一致 {}/{} 道选择题{}",
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
            if m.consistent { "  ← 一致" } else { "" }
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
        format!("{} …（共 {} 个）", shown.join(" "), p.len())
    } else {
        shown.join(" ")
    }
}
