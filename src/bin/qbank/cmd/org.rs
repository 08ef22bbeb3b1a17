//! `qbank org add|list|show|suspend|reinstate|keygen`, `qbank catalog publish`,
//! `qbank bureau-key export`

use crate::cli::{BureauKeyCommand, CatalogCommand, Global, OrgCommand};
use qbank::model::{OrgCategory, OrgKind, OrgStatus, Organisation, parse_scope};
use qbank::ops::org::{self, NewOrg};
use qbank::{Error, Result};
use std::process::ExitCode;

fn print_org(o: &Organisation) {
    crate::outln!("{} {}", o.id, o.name);
    crate::outln!(
        "  {} · {} · {} · {}",
        o.kind.name(),
        o.category.name(),
        o.region,
        o.status.name()
    );
    for (occ, levels) in &o.certify {
        let names: Vec<String> = levels.iter().map(|l| l.to_string()).collect();
        crate::outln!("  认定范围 {occ}：{}", names.join("、"));
    }
    crate::outln!("  公钥指纹 {}（X25519）", o.key_fingerprint);
    for h in &o.history {
        crate::outln!("  {} {} — {}（{}）", h.at, h.status.name(), h.reason, h.by);
    }
}

pub fn exec(g: &Global, c: OrgCommand) -> Result<ExitCode> {
    match c {
        OrgCommand::Add {
            id,
            name,
            kind,
            category,
            region,
            certify,
            public_key,
        } => {
            let kind = OrgKind::parse(&kind).ok_or_else(|| {
                Error::Usage(format!(
                    "--kind `{kind}`：请给出 Y（用人单位）或 S（社会培训评价组织）"
                ))
            })?;
            let category = OrgCategory::parse(&category).ok_or_else(|| {
                Error::Usage(format!(
                    "--category `{category}`：请给出 enterprise（企业自主评价）、training（职业培训机构）、school（技工院校）或 third-party（第三方评价机构）"
                ))
            })?;
            let certify = certify
                .iter()
                .map(|s| {
                    parse_scope(s).ok_or_else(|| {
                        Error::Usage(format!(
                            "--certify `{s}`：请给出 职业编码:等级，如 6-31-01-03:4,3；专项职业能力只给编码（不分等级），如 S3200001"
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let o = org::add(
                &g.store()?,
                NewOrg {
                    id,
                    name,
                    kind,
                    category,
                    region,
                    certify,
                    public_key,
                },
            )?;
            if g.json {
                crate::output::json(&o);
            } else {
                crate::outln!("已登记：");
                print_org(&o);
                crate::outln!(
                    "  鉴定中心公钥固定值（随备案交给该机构，供 `qbank org pin` 使用）：{}",
                    org::bureau_pin(&g.store()?)?
                );
            }
        }
        OrgCommand::List => {
            let all = org::list(&g.store()?)?;
            if g.json {
                crate::output::json(&all);
            } else {
                let mut rows = vec![
                    ["备案号", "状态", "类型", "名称", "认定范围", "公钥指纹"]
                        .map(String::from)
                        .to_vec(),
                ];
                for o in &all {
                    let scope: Vec<String> = o
                        .certify
                        .iter()
                        .map(|(occ, ls)| {
                            let l: Vec<String> = ls
                                .iter()
                                .filter_map(|l| l.level())
                                .map(|l| l.code().to_string())
                                .collect();
                            if l.is_empty() {
                                occ.to_string()
                            } else {
                                format!("{occ}:{}", l.join(","))
                            }
                        })
                        .collect();
                    rows.push(vec![
                        o.id.clone(),
                        o.status.name().to_string(),
                        o.kind.name().to_string(),
                        o.name.clone(),
                        scope.join(" "),
                        o.key_fingerprint.clone(),
                    ]);
                }
                for l in qbank::text::table(&rows, &[]) {
                    crate::outln!("{l}");
                }
                crate::outln!("共 {} 家机构", all.len());
            }
        }
        OrgCommand::Show { id } => {
            let o = org::show(&g.store()?, &id)?;
            if g.json {
                crate::output::json(&o);
            } else {
                print_org(&o);
            }
        }
        OrgCommand::Suspend { id, reason } => {
            let s = org::suspend(&g.store()?, &id, &reason)?;
            let o = &s.organisation;
            if g.json {
                crate::output::json(&s);
            } else {
                crate::outln!("{} {} 已暂停：恢复前不再获得试卷", o.id, o.name);
                if s.affected.is_empty() {
                    crate::outln!("没有受影响的已封装未发布考试批次");
                } else {
                    crate::outln!(
                        "已封装未发布的考试批次 {}：发布时将不含该机构的发布密钥，其封装包无法打开（除非在发布前恢复）",
                        s.affected.join("、")
                    );
                }
            }
        }
        OrgCommand::Reinstate { id, reason } => {
            let o = org::set_status(&g.store()?, &id, OrgStatus::Active, &reason)?;
            if g.json {
                crate::output::json(&o);
            } else {
                crate::outln!("{} {} 已恢复", o.id, o.name);
            }
        }
        OrgCommand::Pin {
            org_key,
            bureau_key,
            fingerprint,
        } => {
            let p = org::pin(&org_key, &bureau_key, &fingerprint)?;
            if g.json {
                crate::output::json(&p);
            } else if p.changed {
                crate::outln!(
                    "{}: 已固定鉴定中心公钥（固定值 {}）；unseal 与 submission seal 今后只认此公钥",
                    p.organisation,
                    p.pin
                );
            } else {
                crate::outln!("{}: 鉴定中心公钥已固定（固定值 {}）", p.organisation, p.pin);
            }
        }
        OrgCommand::Keygen { id, out } => {
            let (key, public, fp) = org::keygen(&id, &out)?;
            if g.json {
                crate::output::json(
                    &serde_json::json!({ "key": key, "public": public, "fingerprint": fp }),
                );
            } else {
                crate::outln!("私钥 {}（须保密：用它打开本机构的试卷）", key.display());
                crate::outln!("公钥 {}（交鉴定中心登记）· 指纹 {fp}", public.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn catalog(g: &Global, c: CatalogCommand) -> Result<ExitCode> {
    let CatalogCommand::Publish { out } = c;
    let r = org::publish(&g.store()?, &out)?;
    if g.json {
        crate::output::json(&r);
    } else {
        crate::outln!("已发布 {} 家机构的目录：", r.organisations);
        for f in &r.files {
            crate::outln!("  {}", f.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn bureau_key(g: &Global, c: BureauKeyCommand) -> Result<ExitCode> {
    let out = match c {
        BureauKeyCommand::Export { out } => out,
        BureauKeyCommand::Pin => {
            let pin = org::bureau_pin(&g.store()?)?;
            if g.json {
                crate::output::json(&serde_json::json!({ "pin": pin }));
            } else {
                crate::outln!("{pin}");
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let fp = org::export_bureau_key(&g.store()?, &out)?;
    if g.json {
        crate::output::json(&serde_json::json!({ "file": out, "fingerprint": fp }));
    } else {
        crate::outln!("鉴定中心公钥 {} · 指纹 {fp}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
