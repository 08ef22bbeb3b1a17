//! The audit log as a person reads it (`audit list`): each operation's Chinese name and its
//! details as labelled fields, instead of the entry's JSON (which `--json` keeps for machines).

use super::submission::{Decision, QueueStatus};
use crate::store::audit::AuditEntry;
use serde_json::Value;

/// The operation of an audit entry as users read it; an unknown code is shown as it is.
pub fn op_name(op: &str) -> &str {
    match op {
        "init" => "创建存储",
        "import" => "导入题库",
        "key-rotate" => "轮换主密钥",
        "assemble" => "组卷",
        "sitting" => "考试批次组卷封装",
        "release" => "发布考试批次",
        "release-early" => "提前发布考试批次",
        "org-add" => "登记评价机构",
        "org-suspend" => "暂停评价机构",
        "org-reinstate" => "恢复评价机构",
        "person-add" => "登记人员",
        "person-revoke" => "吊销人员密钥",
        "submission-import" => "导入补充试题",
        "review" => "审核",
        "review-accept" => "审核采用入库",
        "feedback-import" => "导入意见反馈",
        "analysis" => "试题分析",
        "calibrate" => "难度校准",
        "revise" => "修订试题",
        "revise-dismiss" => "结案（不修订）",
        "item-suspend" => "暂停使用试题",
        "item-status" => "变更试题状态",
        other => other,
    }
}

/// The label of a detail field as users read it; an unknown key is shown as it is.
pub fn detail_label(key: &str) -> &str {
    match key {
        "added" => "新增",
        "analyses" => "分析",
        "already" => "已有",
        "bank_digest" => "题库摘要",
        "blueprint" => "组卷方案",
        "blueprint_cooldown" => "方案冷却期",
        "bureau_key" => "鉴定中心密钥",
        "candidates" => "考生数",
        "certify" => "认定范围",
        "cooldown" => "冷却期",
        "cooldown_relaxed" => "放宽冷却期",
        "evidence" => "依据",
        "excluded" => "排除",
        "feedback" => "反馈",
        "feedback_resolved" => "已处理反馈",
        "file" => "文件",
        "files" => "文件数",
        "flagged" => "标记",
        "forms" => "套数",
        "from" => "原状态",
        "digest" => "摘要",
        "id" => "编号",
        "items" => "试题",
        "key" => "密钥",
        "master_key" => "主密钥",
        "min_n" => "最少作答数",
        "new_master_key" => "新主密钥",
        "new_versions" => "新版本",
        "organisation" => "机构",
        "organisations" => "机构",
        "out" => "输出",
        "overlay" => "企业自有题库",
        "packages" => "封装包",
        "papers" => "试卷",
        "person" => "人员",
        "reason" => "理由",
        "reason_record" => "理由记录",
        "reencrypted" => "已重新加密",
        "released_at" => "发布时间",
        "reviewer" => "审核员",
        "reviewer_key" => "审核员密钥",
        "decision" => "审核结论",
        "status" => "状态",
        "reports" => "报告",
        "result" => "结果",
        "roles" => "角色",
        "seed" => "种子",
        "sha256" => "SHA-256",
        "sitting" => "考试批次",
        "sittings" => "考试批次",
        "skipped" => "跳过",
        "sources" => "来源",
        "standards_unchanged" => "标准未变",
        "standards_written" => "标准写入",
        "start" => "开考时间",
        "submission" => "提交批次",
        "to" => "新状态",
        "unchanged" => "未变",
        "version" => "版本",
        "withheld" => "未含发布密钥的机构",
        other => other,
    }
}

/// A detail value as text: strings as they are, lists joined with 、, 是/否 for booleans,
/// objects as labelled fields in brackets, `—` for nothing.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Null => "—".to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => "无".to_string(),
        Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join("、"),
        Value::Object(m) => format!(
            "（{}）",
            m.iter()
                .map(|(k, v)| format!("{} {}", detail_label(k), value_text(v)))
                .collect::<Vec<_>>()
                .join("，")
        ),
    }
}

/// An entry status code (`active`) as users read it (在用).
fn status_text(v: &Value) -> String {
    v.as_str()
        .and_then(crate::model::Status::parse)
        .map_or_else(|| value_text(v), |s| s.name().to_string())
}

/// An entry's details as (label, value) pairs, in the entry's key order.
pub fn details(e: &AuditEntry) -> Vec<(String, String)> {
    match &e.details {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let text = match (k.as_str(), v.as_str()) {
                    ("master_key" | "new_master_key", Some("key file")) => "密钥文件".to_string(),
                    ("master_key" | "new_master_key", Some("passphrase")) => "口令".to_string(),
                    ("decision", _) => serde_json::from_value::<Decision>(v.clone())
                        .map_or_else(|_| value_text(v), |d| d.name().to_string()),
                    ("status", _) => serde_json::from_value::<QueueStatus>(v.clone())
                        .map_or_else(|_| status_text(v), |q| q.name().to_string()),
                    ("from" | "to", _) => status_text(v),
                    ("roles", _) => v.as_array().map_or_else(
                        || value_text(v),
                        |a| {
                            a.iter()
                                .map(|r| {
                                    r.as_str()
                                        .and_then(crate::model::Role::parse)
                                        .map_or_else(|| value_text(r), |r| r.name().to_string())
                                })
                                .collect::<Vec<_>>()
                                .join("、")
                        },
                    ),
                    _ => value_text(v),
                };
                (detail_label(k).to_string(), text)
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![("详情".to_string(), value_text(other))],
    }
}

/// An entry's details as one line: `标签：值；标签：值`.
pub fn details_line(e: &AuditEntry) -> String {
    details(e)
        .into_iter()
        .map(|(k, v)| format!("{k}：{v}"))
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_labelled_not_json() {
        let e = AuditEntry {
            seq: 1,
            time: "2026-12-01T00:00:00Z".into(),
            op: "init".into(),
            actor: "ops".into(),
            details: serde_json::json!({"bureau_key": "fd2f", "items": ["A", "B"], "master_key": "key file", "overlay": false}),
            prev: String::new(),
            store: None,
            signer: None,
        };
        let line = details_line(&e);
        assert_eq!(
            line,
            "鉴定中心密钥：fd2f；试题：A、B；主密钥：密钥文件；企业自有题库：否"
        );
        assert!(!line.contains('{') && !line.contains('"'), "{line}");
        assert_eq!(op_name("org-suspend"), "暂停评价机构");
    }
}
