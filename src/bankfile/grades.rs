//! The bank-file rules that tell a standard with levels from a 专项职业能力考核规范, which has
//! none: the `[occupation]` head of each kind, the weight tables' columns, and the grade of an
//! entry file (a level required for one kind, refused for the other). Messages in Chinese.

use super::raw::EntryFile;
use super::validate::Sink;
use crate::model::{Grade, Level, Occupation, Standard};
use toml::Spanned;

/// Checks `[occupation]`: a 专项职业能力 has a code of its own scheme, no classification edition
/// and no levels; every other standard a 大典 code, its edition and its levels.
pub(super) fn occupation_head(
    sink: &mut Sink,
    at: usize,
    occupation: &Occupation,
    unleveled: bool,
) {
    let code = &occupation.code;
    let mut problem = |message: String| sink.at(at, message);
    if unleveled {
        if !code.is_special() {
            problem(format!(
                "专项职业能力考核规范的编码应为 S + 省级行政区划代码两位 + 五位顺序号（如 S3200001），不是 {code}"
            ));
        }
        if occupation.code_edition.is_some() {
            problem(format!(
                "{code}：专项职业能力不在国家职业分类大典中，不写 code_edition"
            ));
        }
        if !occupation.levels.is_empty() {
            problem(format!(
                "{code}：专项职业能力考核规范不分等级，[occupation] 不写 levels"
            ));
        }
        return;
    }
    if code.is_special() {
        problem(format!(
            "职业编码 {code} 是专项职业能力编码，只能用于 kind = \"专项职业能力考核规范\""
        ));
    }
    match occupation.code_edition {
        Some(2015 | 2022) => {}
        Some(e) => problem(format!(
            "occupation {code}: code_edition {e} is neither 2015 nor 2022 (the editions of the classification)"
        )),
        None => problem(format!(
            "occupation {code}: 缺少 code_edition（大典版本 2015 或 2022）"
        )),
    }
    if occupation.levels.is_empty() {
        problem(format!(
            "occupation {code}: 缺少 levels（该职业使用的等级，如 [5, 4, 3, 2, 1]）"
        ));
    }
}

/// The weight tables' columns and the offset their problems are reported at: the `[weights]`
/// `levels`, or the one column `Unleveled` of a 专项职业能力 (which must not list levels).
pub(super) fn weight_columns(
    sink: &mut Sink,
    occ_line: usize,
    levels: Option<Spanned<Vec<Level>>>,
    unleveled: bool,
) -> (usize, Vec<Grade>) {
    match levels {
        Some(l) if unleveled => {
            sink.at(
                l.span().start,
                "专项职业能力考核规范不分等级：[weights] 不写 levels，每个 values 只有一个数值",
            );
            (l.span().start, vec![Grade::Unleveled])
        }
        Some(l) => (
            l.span().start,
            l.into_inner().into_iter().map(Grade::Level).collect(),
        ),
        None if unleveled => (occ_line, vec![Grade::Unleveled]),
        None => {
            sink.at(occ_line, "[weights] 缺少 levels（权重表各列对应的等级）");
            (occ_line, Vec::new())
        }
    }
}

/// The grade of an entry file's entries: its `level`, one the occupation uses; none for a
/// 专项职业能力. None (after a problem at the line) when the file's level is missing, refused or
/// not used — its entries are then not checked further.
pub(super) fn entry_grade(sink: &mut Sink, std: &Standard, ef: &EntryFile) -> Option<Grade> {
    let occupation = ef.occupation.get_ref();
    match &ef.level {
        Some(l) if std.is_unleveled() => {
            sink.span(
                l,
                format!(
                    "{occupation} 是专项职业能力考核规范，不分等级：删去 level（考核试题不写等级）"
                ),
            );
            None
        }
        None if std.is_unleveled() => Some(Grade::Unleveled),
        None => {
            sink.span(
                &ef.occupation,
                format!(
                    "缺少 level：{occupation} 的试题须写明等级（如 level = 4），专项职业能力考核规范的试题才不写等级"
                ),
            );
            None
        }
        Some(l) if !std.occupation.levels.contains(l.get_ref()) => {
            sink.span(
                l,
                format!(
                    "occupation {occupation} does not use level {}",
                    l.get_ref().grade_name()
                ),
            );
            None
        }
        Some(l) => Some(Grade::Level(*l.get_ref())),
    }
}
