//! `qbank exam`: init, serve and export a 机考 at the evaluation organisation.

use crate::cli::{ExamCommand, Global};
use qbank::ops::exam::{self, InitOptions};
use qbank::{Error, Result};
use std::process::ExitCode;
use std::sync::Arc;

pub fn exec(g: &Global, cmd: ExamCommand) -> Result<ExitCode> {
    match cmd {
        ExamCommand::Init {
            copy,
            roster,
            db,
            start,
            minutes,
            keep_question_order,
            keep_option_order,
            double_marking,
            threshold,
        } => {
            let start = match start {
                Some(s) => s.parse::<jiff::Timestamp>().map_err(|e| {
                    Error::Usage(format!(
                        "--start {s}：不是 RFC 3339 时间（如 2026-11-28T09:00:00+08:00）：{e}"
                    ))
                })?,
                None => jiff::Timestamp::now(),
            };
            let o = exam::init(&InitOptions {
                copy,
                roster,
                db: db.clone(),
                start,
                minutes,
                shuffle_questions: !keep_question_order,
                shuffle_options: !keep_option_order,
                double_marking,
                threshold,
            })?;
            if g.json {
                crate::output::json(&serde_json::json!({
                    "copy": o.copy, "candidates": o.candidates, "questions": o.questions,
                    "start": o.start.to_string(), "minutes": o.minutes,
                    "proctor_code": o.proctor_code.as_str(),
                    "marking_code": o.marking_code.as_str(),
                }));
            } else {
                crate::outln!(
                    "已建立机考 {}：{} 名考生，{} 题，{} 开考，时长 {} 分钟；记录库 {}",
                    o.copy,
                    o.candidates,
                    o.questions,
                    qbank::ops::org::beijing_time(&o.start.to_string()),
                    o.minutes,
                    db.display()
                );
                crate::outln!(
                    "监考码：{}（只显示这一次，请交监考员保管）",
                    o.proctor_code.as_str()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ExamCommand::Serve {
            db,
            copy,
            listen,
            key,
        } => {
            let opened = exam::open(&db, &copy)?;
            let cfg = opened.exam.config.clone();
            let candidates = cfg.roster.len();
            let records = opened.records.len();
            let key = match &key {
                Some(k) => Some(exam::results::read_key(k, &opened.exam)?),
                None => None,
            };
            let mut live = exam::live::Live::start(opened);
            if let Some(k) = key {
                live = live.with_key(k);
            }
            let app = Arc::new(qbank::examserver::App {
                live,
                occupation: format!("{}（{}）", cfg.occupation_name, cfg.occupation),
                level: cfg.level.to_string(),
                organisation: format!("{} {}", cfg.organisation, cfg.organisation_name)
                    .trim()
                    .to_string(),
                copy: cfg.copy.clone(),
            });
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::Storage(format!("无法启动服务线程：{e}")))?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| Error::Usage(format!("无法监听 {listen}：{e}")))?;
                let addr = listener
                    .local_addr()
                    .map_err(|e| Error::Usage(format!("无法监听 {listen}：{e}")))?;
                crate::outln!(
                    "机考服务已启动：http://{addr}/（考生登录），http://{addr}/proctor（监考），http://{addr}/mark（阅卷）；副本 {}，{candidates} 名考生，已恢复 {records} 条记录。按 Ctrl-C 停止",
                    cfg.copy
                );
                qbank::examserver::serve(app, listener)
                    .await
                    .map_err(|e| Error::Storage(format!("机考服务出错：{e}")))
            })?;
            Ok(ExitCode::SUCCESS)
        }
        ExamCommand::Export {
            db,
            copy,
            key,
            org_key,
            bureau_key,
            out,
            scores,
            sheets,
        } => {
            let opened = exam::open(&db, &copy)?;
            let key = key.unwrap_or(copy);
            let e = exam::results::export(
                &opened,
                &exam::results::ExportTo {
                    key: &key,
                    org_key: &org_key,
                    bureau_key: bureau_key.as_deref(),
                    out: &out,
                    scores: scores.as_deref(),
                    sheets: sheets.as_deref(),
                },
            )?;
            if g.json {
                crate::output::json(&serde_json::json!({
                    "file": e.file, "candidates": e.candidates, "absent": e.absent, "log_entries": e.log_entries,
                }));
            } else {
                crate::outln!(
                    "已导出机考成绩：{}（{} 名考生，缺考 {} 名，考试日志 {} 条），已加密给鉴定中心，可用 qbank analysis 读取",
                    e.file.display(),
                    e.candidates,
                    e.absent,
                    e.log_entries
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
