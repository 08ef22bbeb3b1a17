//! Response files mapped back through organisation copies to bank items, analysed end to end; and
//! `item suspend`.

use crate::sample_store;
use qbank::Error;
use qbank::analysis::{Flag, Thresholds};
use qbank::model::Status;
use qbank::ops::revise::SkipReason;
use qbank::ops::{Quiet, StoreConfig, sitting};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub(crate) const A: &str = "S000032100001";
pub(crate) const B: &str = "Y000132050002";

pub(crate) fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// A sitting of dg5-theory run by two organisations, released and opened by both.
pub(crate) fn opened(dir: &Path) -> (StoreConfig, PathBuf, PathBuf) {
    let cfg = sample_store(dir);
    let keys = dir.join("orgs");
    for id in [A, B] {
        crate::register(&cfg, &keys, id, &format!("机构{id}"), "S", "6-31-01-03:5");
    }
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "format = 1\n[sitting]\nid = \"T-AN\"\ntitle = \"分析\"\nstart = 2026-01-10T09:00:00+08:00\nend = 2026-01-10T17:00:00+08:00\nseed = 11\nblueprints = [\"{}\"]\n[[paper]]\nblueprint = \"dg5-theory\"\n[[organisation]]\nid = \"{A}\"\nruns = [\"6-31-01-03/5\"]\n[[organisation]]\nid = \"{B}\"\nruns = [\"6-31-01-03/5\"]\n",
            crate::sample_bank().join("6-31-01-03").display()
        ),
    )
    .unwrap();
    sitting::run(&cfg, &plan, &dir.join("sit"), &Quiet).unwrap();
    let rel = dir.join("release.json");
    sitting::release(&cfg, "T-AN", &rel, None).unwrap();
    let keys_rel = dir.join("keys-release.json");
    sitting::release_keys(&cfg, "T-AN", &keys_rel, None).unwrap();
    let open = |id: &str| {
        let to = dir.join(format!("open-{id}"));
        sitting::unseal_with(
            &dir.join(format!("sit/packages/{id}.qpkg")),
            &keys.join(format!("{id}.key")),
            &rel,
            Some(&keys_rel),
            Some(&dir.join("sit/bureau.pub")),
            &to,
        )
        .unwrap();
        to.join("dg5-theory/F01")
    };
    (cfg, open(A), open(B))
}

/// Writes a response file for one organisation copy: candidate c answers question n correctly
/// when `right(c, id)`, else picks `wrong(c, id, printed options)`; returns the path.
pub(crate) fn responses(
    dir: &Path,
    name: &str,
    copy_dir: &Path,
    candidates: std::ops::Range<usize>,
    answer: impl Fn(usize, &str, &str, &[String], &str) -> String,
) -> PathBuf {
    let paper = json(&copy_dir.join("paper.json"));
    let key = json(&copy_dir.join("key.json"));
    let copy = paper["copy"]["copy"].as_str().unwrap().to_string();
    let keys: Vec<String> = key["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap().to_string())
        .collect();
    let items: Vec<&Value> = paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    let mut csv = String::from("candidate,copy");
    for n in 1..=items.len() {
        csv += &format!(",{n}");
    }
    csv += "\n";
    for c in candidates {
        csv += &format!("{c:06},{copy}");
        for (i, it) in items.iter().enumerate() {
            let options: Vec<String> = it["options"]
                .as_array()
                .map(|o| o.iter().map(|x| x.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            csv += ",";
            csv += &answer(
                c,
                it["id"].as_str().unwrap(),
                it["type"].as_str().unwrap(),
                &options,
                &keys[i],
            );
        }
        csv += "\n";
    }
    let p = dir.join(name);
    std::fs::write(&p, csv).unwrap();
    p
}

#[test]
fn responses_map_back_through_each_copy_and_a_planted_miskey_is_flagged() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, copy_a, copy_b) = opened(t.path());
    // the planted item: the first 单选 of the form; its stem's options, in form order
    let paper_a = json(&copy_a.join("paper.json"));
    let planted_id = paper_a["sections"][0]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let form_manifest = json(&copy_a.join("form-manifest.json"));
    assert!(
        form_manifest["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x[0] == planted_id.as_str())
    );
    // the wrong option every strong candidate picks: the same option TEXT in both copies
    let planted_options: Vec<String> = paper_a["sections"][0]["items"][0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    let key_a = json(&copy_a.join("key.json"))["answers"][0]["answer"]
        .as_str()
        .unwrap()
        .to_string();
    let key_text = planted_options[(key_a.as_bytes()[0] - b'A') as usize].clone();
    let lure = planted_options
        .iter()
        .find(|o| **o != key_text)
        .unwrap()
        .clone();
    // ability: candidate c of 0..60 answers an item right when (c + h) % 60 < c, i.e. c ≥ 60 − h,
    // with h from the id in 12..52 (stronger candidates get more right), 判断 wrong answers flip; on the planted item, candidates in the
    // top half choose the lure, the others the key.
    let answer = |c: usize, id: &str, kind: &str, options: &[String], key: &str| -> String {
        // 12..52: every item but the planted one is answered right by most of the upper group
        // (a threshold below 8 would make the upper group prefer a distractor: a real miskey
        // signal on an item whose key is right, whatever its id)
        let h = 12
            + id.bytes()
                .fold(0usize, |a, b| a.wrapping_mul(31) + b as usize)
                % 40;
        if id == planted_id {
            let want = if c >= 30 { &lure } else { &key_text };
            let j = options.iter().position(|o| o == want).unwrap();
            return ((b'A' + j as u8) as char).to_string();
        }
        if (c + h) % 60 < c || c >= 55 {
            return key.to_string();
        }
        match kind {
            "判断" => {
                if key == "√" {
                    "×".into()
                } else {
                    "√".into()
                }
            }
            _ => {
                let k = (key.as_bytes()[0] - b'A') as usize;
                ((b'A' + ((k + 1) % options.len()) as u8) as char).to_string()
            }
        }
    };
    let fa = responses(t.path(), "a.csv", &copy_a, 0..60, answer);
    let fb = responses(t.path(), "b.csv", &copy_b, 0..60, answer);
    let before = cfg.open().unwrap().audit_entries().unwrap().len();
    let out =
        qbank::ops::analysis::run(&cfg, &[fa.clone(), fb], &[], &Thresholds::default()).unwrap();
    assert_eq!(out.candidates, 120);
    assert_eq!(
        out.report.forms.len(),
        1,
        "both copies map back to the one form"
    );
    assert_eq!(out.report.forms[0].candidates, 120);
    let planted = out
        .report
        .items
        .iter()
        .find(|i| i.id == planted_id)
        .unwrap();
    assert_eq!(planted.n, 120);
    // the lure is one form option for both organisations' copies: the upper group all chose it
    let lure_opt = planted
        .options
        .iter()
        .max_by(|a, b| a.upper.total_cmp(&b.upper))
        .unwrap();
    assert!(!lure_opt.keyed);
    assert!((lure_opt.share - 0.5).abs() < 1e-9, "{:?}", planted.options);
    assert!(
        planted
            .flags
            .iter()
            .any(|f| matches!(f, Flag::ProbableMiskey { distractor, .. } if *distractor == lure_opt.option)),
        "{:?}",
        planted.flags
    );
    // stored for revision, with an audit entry
    let stored = qbank::ops::analysis::stored(&cfg).unwrap();
    assert!(stored.contains_key(&(planted_id.clone(), planted.version)));
    assert_eq!(
        cfg.open().unwrap().audit_entries().unwrap().len(),
        before + 1
    );
    // calibration never hides the planted miskey: it is skipped (its measured p describes the
    // wrong key, not the item), keeps its difficulty and stays in the revision queue
    let (before_cal, _) = qbank::ops::show(&cfg, &planted_id, None).unwrap();
    let done = qbank::ops::revise::calibrate(&cfg, 100).unwrap();
    assert!(!done.calibrated.iter().any(|c| c.id == planted_id));
    let skipped = done.skipped.iter().find(|s| s.id == planted_id).unwrap();
    assert_eq!(
        (skipped.version, skipped.reasons.clone()),
        (
            planted.version,
            vec![
                SkipReason::ProbableMiskey,
                SkipReason::NegativeDiscrimination
            ]
        )
    );
    assert_eq!(
        done.analysed,
        done.calibrated.len()
            + done.unchanged
            + done.too_few
            + done.superseded
            + done.skipped.len()
    );
    let (after_cal, versions) = qbank::ops::show(&cfg, &planted_id, None).unwrap();
    assert_eq!(after_cal, before_cal, "the planted item is unchanged");
    assert_eq!(versions, vec![planted.version]);
    let queue = qbank::ops::revise::list(&cfg).unwrap();
    assert_eq!(queue[0].id, planted_id, "a probable wrong key comes first");
    // the other items: measured p becomes the p the assembler balances on, as a new version with
    // its evidence; the analysed version stays readable; their flags stay in the queue
    let c = &done.calibrated[0];
    let measured = out.report.items.iter().find(|i| i.id == c.id).unwrap();
    let measured_p = (measured.p.unwrap() * 100.0).round() / 100.0;
    assert_eq!(
        (c.version, c.p, c.n),
        (measured.version + 1, measured_p, 120)
    );
    let (e, versions) = qbank::ops::show(&cfg, &c.id, None).unwrap();
    let qbank::model::Entry::Item(item) = e else {
        panic!("an item")
    };
    assert_eq!(item.p, Some(measured_p));
    assert_eq!(versions.last(), Some(&(measured.version + 1)));
    let h = qbank::ops::revise::history(&cfg, &c.id).unwrap();
    assert!(
        h[0].evidence[0].contains("measured on 120 responses"),
        "{h:?}"
    );
    let flagged_calibrated = done
        .calibrated
        .iter()
        .filter(|c| {
            out.report
                .items
                .iter()
                .any(|i| i.id == c.id && !i.flags.is_empty())
        })
        .count();
    assert!(flagged_calibrated > 0);
    assert_eq!(
        qbank::ops::revise::list(&cfg).unwrap().len(),
        queue.len(),
        "calibrating does not take flagged items off the queue"
    );
    // nothing left to calibrate until new responses come in; the miskey is still skipped
    let again = qbank::ops::revise::calibrate(&cfg, 100).unwrap();
    assert!(again.calibrated.is_empty());
    assert_eq!(again.skipped_for(SkipReason::ProbableMiskey), 1);
    // an examiner who finds the key right dismisses the flag, with a reason: then it calibrates
    let d = qbank::ops::revise::dismiss(&cfg, &planted_id, "经核对答案无误").unwrap();
    assert_eq!(d.analyses, vec![planted.version]);
    assert!(
        !qbank::ops::revise::list(&cfg)
            .unwrap()
            .iter()
            .any(|c| c.id == planted_id)
    );
    let last = cfg.open().unwrap().audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.op, "revise-dismiss");
    let third = qbank::ops::revise::calibrate(&cfg, 100).unwrap();
    // Copies are drawn from a per-sitting secret, so the simulated responses differ from run to
    // run: the planted item either gets a new p, or its measured p already equals its p
    // (unchanged). Either way the dismissal unblocked it: it is no longer skipped.
    let calibrated: Vec<&str> = third.calibrated.iter().map(|c| c.id.as_str()).collect();
    assert!(third.skipped.is_empty(), "{:?}", third.skipped);
    assert!(
        calibrated == vec![planted_id.as_str()] || (calibrated.is_empty() && third.unchanged == 1),
        "calibrated {calibrated:?}, unchanged {}",
        third.unchanged
    );

    // the HTML report draws its charts as SVG and names the flagged item
    let html = t.path().join("report.html");
    qbank::ops::analysis::write_report(&html, &out).unwrap();
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<svg") && text.contains(&planted_id) && text.contains("疑似答案错误"));
    check_report(&html, &text, &before_cal);
}

/// The analysis report as the bureau prints it: A4, the flagged item's stem and options in bank
/// order with the note saying so, a legend on the option chart, whole numbers on the count
/// axis, no `-0.0` tick, no letter drawn outside its chart, written 0600.
fn check_report(path: &Path, html: &str, flagged: &qbank::model::Entry) {
    let qbank::model::Entry::Item(item) = flagged else {
        panic!("the planted item is a theory item")
    };
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    assert!(html.contains("@page{size:A4"), "A4 print CSS");
    assert!(
        html.contains(&esc(&item.stem)),
        "the flagged item's stem is shown"
    );
    for (k, o) in item.options.iter().enumerate() {
        let line = format!("<li><b>{}.</b> {}</li>", (b'A' + k as u8) as char, esc(o));
        assert!(html.contains(&line), "option {k} in bank order: {line}");
    }
    assert!(
        html.contains("选项字母（A、B、C…）均按题库中的选项顺序"),
        "the bank-order note"
    );
    assert!(
        html.contains("图例") && html.contains("标准答案 高分组") && html.contains("干扰项 低分组"),
        "legend"
    );
    // no chart label reads a negative zero ("-0.0", "-0"); a negative D such as "-0.04" in the
    // tables is a real value
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        for t in svg.split("<text").skip(1) {
            let label = t.split('>').nth(1).and_then(|l| l.split('<').next());
            if let Some(l) = label.map(str::trim) {
                let zero = l.parse::<f64>().is_ok_and(|v| v == 0.0);
                assert!(!(zero && l.starts_with('-')), "negative zero tick: {l}");
            }
        }
    }
    // every <text> of a chart lies inside its SVG (a letter at a negative y is clipped)
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        let (w, h) = (attr(svg, "width"), attr(svg, "height"));
        for t in svg.split("<text").skip(1) {
            let (x, y) = (attr(t, "x"), attr(t, "y"));
            assert!(
                (0.0..=w).contains(&x) && (0.0..=h).contains(&y),
                "text at ({x}, {y}) outside {w}×{h}"
            );
        }
    }
    // the histogram's count axis (人数, the labels left of the plot) carries whole numbers only
    let hist = html.split("成绩分布</h3>").nth(1).unwrap();
    let hist = &hist[..hist.find("</svg>").unwrap()];
    let mut counts = Vec::new();
    for t in hist.split("<text").skip(1) {
        let label = t
            .split('>')
            .nth(1)
            .and_then(|l| l.split('<').next())
            .map(str::trim);
        if let (Some(Ok(n)), true) = (label.map(str::parse::<f64>), attr(t, "x") < 62.0) {
            counts.push(n);
        }
    }
    assert!(hist.contains("人数"));
    assert!(counts.len() >= 2, "count axis labels: {counts:?}");
    assert!(
        counts.iter().all(|n| n.fract() == 0.0),
        "whole counts: {counts:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the report holds stems: owner only");
    }
}

/// The number in attribute `name="…"` of the first tag in `s`.
fn attr(s: &str, name: &str) -> f64 {
    let at = s.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    s[at..at + s[at..].find('"').unwrap()].parse().unwrap()
}

#[test]
fn a_bad_response_file_is_refused_with_file_and_line_and_nothing_is_stored() {
    let t = tempfile::tempdir().unwrap();
    let (cfg, copy_a, _) = opened(t.path());
    let f = responses(t.path(), "a.csv", &copy_a, 0..3, |_, _, _, _, key: &str| {
        key.to_string()
    });
    let text = std::fs::read_to_string(&f).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // line 3: an option letter the question does not have; line 4: an unknown copy
    lines[2] = lines[2]
        .replacen(",A,", ",Q,", 1)
        .replacen(",B,", ",Q,", 1)
        .replacen(",C,", ",Q,", 1)
        .replacen(",D,", ",Q,", 1);
    lines[3] = lines[3].replacen(A, "S999999999999", 1);
    std::fs::write(&f, lines.join("\n") + "\n").unwrap();
    let before = cfg.open().unwrap().audit_entries().unwrap().len();
    let err =
        qbank::ops::analysis::run(&cfg, std::slice::from_ref(&f), &[], &Thresholds::default())
            .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Invalid(_)), "{msg}");
    assert!(
        msg.contains(&format!("{}:3: question", f.display())),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("{}:4: copy `S999999999999", f.display())),
        "{msg}"
    );
    assert_eq!(cfg.open().unwrap().audit_entries().unwrap().len(), before);
    assert!(qbank::ops::analysis::stored(&cfg).unwrap().is_empty());
}

#[test]
fn a_suspended_item_never_appears_in_a_new_paper_and_old_versions_stay_readable() {
    let t = tempfile::tempdir().unwrap();
    let cfg = sample_store(t.path());
    let bp = crate::sample_bank().join("6-31-01-03/blueprint-theory-5.toml");
    let out1 = t.path().join("p1");
    qbank::ops::assemble(
        &cfg,
        std::slice::from_ref(&bp),
        5,
        None,
        &out1,
        false,
        &Quiet,
    )
    .unwrap();
    let m = json(&out1.join("dg5-theory/form-01/manifest.json"));
    let victim = m["items"][0][0].as_str().unwrap().to_string();
    let r =
        qbank::ops::set_entry_status(&cfg, &victim, Status::Suspended, "考中发现答案错误").unwrap();
    assert_eq!(
        (r.from, r.to, r.version),
        (Status::Active, Status::Suspended, 2)
    );
    let last = cfg.open().unwrap().audit_entries().unwrap().pop().unwrap();
    assert_eq!(last.op, "item-suspend");
    // the reason is sealed in a note the clear entry names, not written in the clear log
    assert!(last.details.get("reason").is_none());
    let note_key = format!("w/{victim}/{:010}", 2);
    assert_eq!(last.details["reason_record"], note_key.as_str());
    let note: qbank::ops::StatusNote = cfg.open().unwrap().get_record(&note_key).unwrap().unwrap();
    assert_eq!(note.reason, "考中发现答案错误");
    // version 1 is still there for the old paper
    let (old, versions) = qbank::ops::show(&cfg, &victim, Some(1)).unwrap();
    assert_eq!((old.status(), versions), (Status::Active, vec![1, 2]));
    for seed in 5..10 {
        let out = t.path().join(format!("p{seed}x"));
        qbank::ops::assemble(
            &cfg,
            std::slice::from_ref(&bp),
            seed,
            None,
            &out,
            false,
            &Quiet,
        )
        .unwrap();
        let m = json(&out.join("dg5-theory/form-01/manifest.json"));
        assert!(
            m["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x[0] != victim.as_str()),
            "seed {seed}"
        );
    }
    let e = qbank::ops::set_entry_status(&cfg, &victim, Status::Suspended, "again").unwrap_err();
    assert!(e.to_string().contains("already suspended"), "{e}");
}

#[test]
fn a_copy_code_found_in_two_sittings_needs_the_sitting_named() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let cfg = sample_store(d);
    crate::register(&cfg, &d.join("orgs"), A, "机构A", "S", "6-31-01-03:5");
    std::fs::create_dir_all(d.join("bp")).unwrap();
    std::fs::write(
        d.join("bp/mini.toml"),
        "format = 1\n[blueprint]\nid = \"dg5-mini\"\noccupation = \"6-31-01-03\"\nlevel = 5\nkind = \"theory\"\nminutes = 60\n[[section]]\ntype = \"单选\"\ncount = 20\npoints = 3\n[[section]]\ntype = \"判断\"\ncount = 10\npoints = 4\n",
    )
    .unwrap();
    let mut opened = Vec::new();
    for id in ["T-A1", "T-A2"] {
        let plan = d.join(format!("{id}.toml"));
        std::fs::write(
            &plan,
            format!(
                "format = 1\n[sitting]\nid = \"{id}\"\ntitle = \"分析\"\nstart = 2026-01-10T09:00:00+08:00\nend = 2026-01-10T17:00:00+08:00\nseed = 11\nblueprints = [\"{}\"]\n[[paper]]\nblueprint = \"dg5-mini\"\n[[organisation]]\nid = \"{A}\"\nruns = [\"6-31-01-03/5\"]\n",
                d.join("bp").display()
            ),
        )
        .unwrap();
        sitting::run(&cfg, &plan, &d.join(format!("sit-{id}")), &Quiet).unwrap();
        let rel = d.join(format!("{id}.json"));
        sitting::release(&cfg, id, &rel, None).unwrap();
        let keys_rel = d.join(format!("{id}.keys.json"));
        sitting::release_keys(&cfg, id, &keys_rel, None).unwrap();
        let to = d.join(format!("open-{id}"));
        sitting::unseal_with(
            &d.join(format!("sit-{id}/packages/{A}.qpkg")),
            &d.join(format!("orgs/{A}.key")),
            &rel,
            Some(&keys_rel),
            Some(&d.join(format!("sit-{id}/bureau.pub"))),
            &to,
        )
        .unwrap();
        opened.push(to.join("dg5-mini/F01"));
    }
    let f = responses(d, "r.csv", &opened[1], 0..5, |_, _, _, _, key: &str| {
        key.to_string()
    });
    let e = qbank::ops::analysis::run(&cfg, std::slice::from_ref(&f), &[], &Thresholds::default())
        .unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "copy {A}-dg5-mini-F01 exists in sittings T-A1, T-A2"
        )),
        "{e}"
    );
    // named, the responses (every answer keyed as printed on the T-A2 copy) map to p = 1
    let out =
        qbank::ops::analysis::run(&cfg, &[f], &["T-A2".into()], &Thresholds::default()).unwrap();
    assert_eq!(out.candidates, 5);
    assert!(
        out.report.items.iter().all(|i| i.p == Some(1.0)),
        "{:?}",
        out.report.items
    );
}
