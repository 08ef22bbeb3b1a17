//! Argument definitions (clap derive) and their translation into library configs.

use clap::{Args, Parser, Subcommand};
use qbank::ops::StoreConfig;
use qbank::store::KeySource;
use qbank::{Error, Result};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// Default key file, in the working directory, when neither --key-file nor a passphrase is given.
pub const DEFAULT_KEY_FILE: &str = "qbank.key";

#[derive(Parser)]
#[command(
    name = "qbank",
    version,
    about = "职业技能等级认定省级加密题库与组卷系统"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args)]
pub struct Global {
    /// 存储文件夹。
    #[arg(
        long,
        env = "QBANK_STORE",
        default_value = "qbank-store",
        global = true
    )]
    pub store: PathBuf,
    /// 主密钥文件（32 个随机字节）。未给出时，若设置了 QBANK_PASSPHRASE 则用口令，否则用 ./qbank.key。
    #[arg(long, env = "QBANK_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,
    /// 登记操作员的个人密钥文件（人员登记）：为你的每项变更签名。登记操作员后必须给出。
    #[arg(long, env = "QBANK_OPERATOR_KEY", global = true)]
    pub operator_key: Option<PathBuf>,
    /// 以 JSON 输出（供程序读取，键名为英文）。
    #[arg(long, global = true)]
    pub json: bool,
}

/// Tells the user (stderr) when a secret key file is readable by others.
pub fn warn_key_file(path: &std::path::Path) {
    if let Some(w) = qbank::package::keys::key_file_warning(path) {
        eprintln!("{w}");
    }
}

impl Global {
    pub fn key(&self) -> Result<KeySource> {
        if let Some(f) = &self.key_file {
            return Ok(KeySource::File(f.clone()));
        }
        if let Ok(p) = std::env::var("QBANK_PASSPHRASE") {
            if p.is_empty() {
                return Err(Error::EmptyPassphrase("QBANK_PASSPHRASE"));
            }
            return Ok(KeySource::Passphrase(Zeroizing::new(p)));
        }
        Ok(KeySource::File(PathBuf::from(DEFAULT_KEY_FILE)))
    }

    pub fn store(&self) -> Result<StoreConfig> {
        let key = self.key()?;
        if let KeySource::File(p) = &key {
            warn_key_file(p);
        }
        let default_missing =
            matches!(&key, KeySource::File(p) if self.key_file.is_none() && !p.exists());
        if default_missing && self.store.join("db").exists() {
            return Err(Error::NoKey);
        }
        let operator = match &self.operator_key {
            Some(f) => {
                warn_key_file(f);
                Some(std::sync::Arc::new(
                    qbank::package::person::PersonSecret::read(f)?,
                ))
            }
            None => None,
        };
        Ok(StoreConfig {
            dir: self.store.clone(),
            key,
            operator,
        })
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// 创建存储；密钥文件不存在时一并创建（权限 0600）。
    Init,
    /// 不需存储即可检查题库文件；每个问题以“文件:行号: 说明”列出。
    Check {
        /// 文件或文件夹（在其中查找 *.toml）。
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 导入题库文件：全部成功或全不导入；有改动的条目成为新版本。
    Import {
        /// 若尚无存储，先创建存储（及密钥文件）。
        #[arg(long)]
        init: bool,
        /// 题库文件或文件夹。
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 将当前题库解密后以题库文件写入一个新文件夹。
    Export {
        /// 输出文件夹（须为新的）。
        #[arg(long)]
        out: PathBuf,
    },
    /// 列出当前条目（不含内容），可筛选。
    List(ListArgs),
    /// 显示一个条目的全部内容（解密）。
    Show {
        /// 条目编号。
        id: String,
        /// 库中的某一版本；默认当前版本。
        #[arg(long)]
        version: Option<u32>,
    },
    /// 题库统计：数量、鉴定点覆盖、试题偏少的鉴定点和题库摘要。
    Status {
        /// 列出在用试题少于此数的鉴定点。
        #[arg(long, default_value_t = 3)]
        min: usize,
        /// 组卷方案文件或文件夹：报告每个方案在其冷却期下可支撑的连续考试次数。
        #[arg(long)]
        blueprints: Vec<PathBuf>,
        /// 标准登记表（banks/standards-register.toml）：标出引用已废止或被替代标准的条目。
        #[arg(long)]
        register: Option<PathBuf>,
    },
    /// 生成合成题库文件（仅用于规模测试）。
    Gen {
        /// 理论试题数。
        #[arg(long)]
        items: usize,
        /// 随机种子。
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 试题分布的职业数（默认：每个职业等级约 500 道）。
        #[arg(long)]
        occupations: Option<usize>,
        /// 每个等级的操作技能试题数。
        #[arg(long, default_value_t = 6)]
        tasks_per_level: usize,
        /// 输出文件夹。
        #[arg(long)]
        out: PathBuf,
    },
    /// 按组卷方案组成平行试卷：试卷、答案、清单和质量报告。
    Assemble {
        /// 组卷方案文件（或包含它们的文件夹）。
        #[arg(required = true)]
        blueprints: Vec<PathBuf>,
        /// 组卷种子；未给出时随机抽取（并记录）。
        #[arg(long)]
        seed: Option<u64>,
        /// 覆盖每个方案的套数（1..=1000，同方案文件）。
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(qbank::model::MAX_FORMS)))]
        forms: Option<u32>,
        /// 输出文件夹。
        #[arg(long)]
        out: PathBuf,
        /// OUT 中已有先前的组卷结果时，予以替换。
        #[arg(long)]
        replace: bool,
    },
    /// 按清单和存储重新组卷，报告与原卷一致或不一致。
    Verify {
        /// 组卷结果文件夹、某一套的文件夹或其中一个文件。
        path: PathBuf,
    },
    /// 主密钥管理。
    #[command(subcommand)]
    Key(KeyCommand),
    /// 评价机构目录管理。
    #[command(subcommand)]
    Org(OrgCommand),
    /// 发布公开目录。
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// 鉴定中心的 Ed25519 签名密钥（由 `init` 生成）：导出公钥或打印固定值。
    #[command(subcommand)]
    BureauKey(BureauKeyCommand),
    /// 执行考试批次计划：组卷、排版，并为每个机构封装一个加密包。
    Sitting {
        /// 考试批次计划（TOML，含 [sitting]、[[paper]]、[[organisation]]）。
        plan: PathBuf,
        /// 存放封装包、bureau.pub、sitting.json 和报告的新文件夹或空文件夹。
        #[arg(long, required_unless_present = "check")]
        out: Option<PathBuf>,
        /// 只检查计划（目录、组卷方案、放宽的冷却期），报告各试卷题源在冷却期下可支撑的连续考试次数；不写入任何文件。
        #[arg(long)]
        check: bool,
    },
    /// 列出考试批次。
    Sittings,
    /// 签发考试批次的发布文件：试卷发布（开考时或开考后），或加 --keys 签发答案与评分标准发布（答案发布时间起，默认考试结束时）。
    Release {
        /// 考试批次编号。
        sitting: String,
        /// 发布文件的写入位置。
        #[arg(long)]
        out: PathBuf,
        /// 签发答案与评分标准发布，而不是试卷发布。
        #[arg(long)]
        keys: bool,
        /// 以此理由提前发布（试卷发布：开考前；加 --keys：答案发布时间前），记入审计日志。
        #[arg(long)]
        early_reason: Option<String>,
    },
    /// 评价机构一方：用本机构私钥和发布文件验证并打开封装包。
    Unseal {
        /// 封装包（.qpkg）。
        package: PathBuf,
        /// 本机构的私钥文件（含 `org pin` 固定的鉴定中心公钥）。
        #[arg(long)]
        org_key: PathBuf,
        /// 鉴定中心签发的试卷发布文件（release.json）。
        #[arg(long)]
        release: PathBuf,
        /// 答案与评分标准发布文件（keys-release.json）：同时开启答案与评分标准。
        #[arg(long)]
        keys_release: Option<PathBuf>,
        /// 用于与机构密钥文件中固定的鉴定中心公钥核对的 bureau.pub（可选：封装包和发布文件均以固定的公钥验证）。
        #[arg(long, env = "QBANK_BUREAU_KEY")]
        bureau_key: Option<PathBuf>,
        /// 解封输出文件夹。
        #[arg(long)]
        out: PathBuf,
    },
    /// 打印为 PDF：用无头 Chromium 把打开的文档（.html）逐一打印成 A4 PDF，放在 HTML 旁（权限 0600）；已是最新的不重印。
    Pdf {
        /// 文档文件或文件夹（如 qbank unseal 的输出文件夹），文件夹中的 .html 全部打印。
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 追查泄露的试卷或片段来自哪个机构的副本。
    Trace {
        /// 泄露的文本（整卷或片段，复制或重新录入的均可）。
        leaked: PathBuf,
        /// 只查这些考试批次（默认：全部）。
        #[arg(long)]
        sitting: Vec<String>,
    },
    /// 审计日志。
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 立即停止某条目参与组卷，或恢复使用（记为新版本）。
    #[command(subcommand)]
    Item(ItemCommand),
    /// 对评价机构的作答文件做试题分析（CSV：candidate,copy,1,2,…）。
    Analysis {
        /// 作答文件（CSV）。
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 只分析这些考试批次的副本（默认：全部）。
        #[arg(long)]
        sitting: Vec<String>,
        /// 另将 HTML 分析报告（SVG 图表，A4 可打印）写到此处。
        #[arg(long)]
        report: Option<PathBuf>,
        /// 难度值 p 低于此值的试题标记为过难。
        #[arg(long, default_value_t = 0.30)]
        p_min: f64,
        /// 难度值 p 高于此值的试题标记为过易。
        #[arg(long, default_value_t = 0.80)]
        p_max: f64,
        /// 区分度 D 低于此值的试题标记为区分度低。
        #[arg(long, default_value_t = 0.20)]
        d_min: f64,
        /// 选择比例低于此值的干扰项视为无效干扰项。
        #[arg(long, default_value_t = 0.05)]
        distractor_min: f64,
        /// Rasch 估计所需的最少作答人次。
        #[arg(long, default_value_t = 30)]
        rasch_min: usize,
    },
    /// 命题人员的补充试题：加密（命题方）、导入审核队列。
    #[command(subcommand)]
    Submission(SubmissionCommand),
    /// 机考：在评价机构考场以解封的理论副本组织计算机考试（建立、开考服务、导出成绩）。
    #[command(subcommand)]
    Exam(ExamCommand),
    /// 门户数据交换：固定门户公钥、导出发往门户的数据包、导入门户回传的数据包。
    #[command(subcommand)]
    Portal(PortalCommand),
    /// 审核队列中的试题；采用须经两位不同的审核员（四眼原则）。
    #[command(subcommand)]
    Review(ReviewCommand),
    /// 人员登记：登记个人密钥的审核员和操作员。
    #[command(subcommand)]
    Person(PersonCommand),
    /// 评价机构对试题的意见反馈（CSV：organisation,item,version,kind,text）。
    #[command(subcommand)]
    Feedback(FeedbackCommand),
    /// 修订队列、附理由和依据的新版本、难度校准。
    Revise {
        /// 要修订的试题编号（或 `list` 列出修订队列，或 `calibrate` 校准难度）。
        item: String,
        /// 修改后的试题所在的题库 TOML 文件。
        #[arg(long)]
        file: Option<PathBuf>,
        /// 修订或结案的理由（密封保存，审计日志只记其记录名）。
        #[arg(long)]
        reason: Option<String>,
        /// 用于 `calibrate`：一个试题版本所需的最少作答人次。
        #[arg(long, default_value_t = 100)]
        min_n: usize,
        /// 用于 `calibrate`：逐题列出已改和跳过的试题，而不只是数量。
        #[arg(long)]
        verbose: bool,
        /// 不产生新版本即结案（其标记和未处理的反馈），须给出 --reason。
        #[arg(long)]
        dismiss: bool,
        /// 用于 `list`：标准登记表；引用已废止或被替代标准的试题进入队列。
        #[arg(long)]
        register: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ExamCommand {
    /// 建立一场机考：理论试卷副本、考生名单（CSV：准考证号,姓名,证件号后四位,座位号）和开考时间；打印一次监考码。
    Init {
        /// 解封后的理论副本文件夹（含 paper.json），如 demo/papers-only/<机构>/dg4-theory/F01。
        #[arg(long)]
        copy: PathBuf,
        /// 考生名单（CSV，UTF-8 或 Excel 另存的 GBK 均可）。
        #[arg(long)]
        roster: PathBuf,
        /// 考试记录库（SQLite，新建；权限 0600）。
        #[arg(long)]
        db: PathBuf,
        /// 开考时间（RFC 3339，如 2026-11-28T09:00:00+08:00；默认：现在）。
        #[arg(long)]
        start: Option<String>,
        /// 考试时长（分钟；默认：试卷规定的时长）。
        #[arg(long)]
        minutes: Option<u32>,
        /// 不打乱各题型内的题目顺序。
        #[arg(long)]
        keep_question_order: bool,
        /// 不打乱选项顺序。
        #[arg(long)]
        keep_option_order: bool,
        /// 主观题双评：两位阅卷人分差超过阈值时由第三位评定。
        #[arg(long)]
        double_marking: bool,
        /// 双评分差阈值（分）。
        #[arg(long, default_value_t = 2.0)]
        threshold: f64,
    },
    /// 开考服务：考生以浏览器登录作答（局域网），监考页面 /proctor；可随时重启，已保存的作答和剩余时间不变。
    Serve {
        /// 考试记录库（qbank exam init 所建）。
        #[arg(long)]
        db: PathBuf,
        /// 建立考试时所用的理论副本文件夹。
        #[arg(long)]
        copy: PathBuf,
        /// 监听地址。
        #[arg(long, default_value = "0.0.0.0:8080")]
        listen: String,
        /// 含 key.json 的同一副本文件夹（答案发布后解封）：开启主观题阅卷页面 /mark；考生页面从不提供答案。
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// 考试结束后评分并导出：成绩、作答数据（试题分析格式）和考试日志，加密给鉴定中心（.qres，供 qbank analysis）。
    Export {
        /// 考试记录库。
        #[arg(long)]
        db: PathBuf,
        /// 建立考试时所用的理论副本文件夹。
        #[arg(long)]
        copy: PathBuf,
        /// 含 key.json 的同一副本文件夹（以答案发布解封，默认同 --copy）。
        #[arg(long)]
        key: Option<PathBuf>,
        /// 本机构的私钥文件（含固定的鉴定中心公钥）。
        #[arg(long)]
        org_key: PathBuf,
        /// 与固定公钥核对的 bureau.pub（可选）。
        #[arg(long, env = "QBANK_BUREAU_KEY")]
        bureau_key: Option<PathBuf>,
        /// 输出的加密成绩文件（.qres）。
        #[arg(long)]
        out: PathBuf,
        /// 另将明文成绩表（CSV，权限 0600）写到此处，供本机构存档。
        #[arg(long)]
        scores: Option<PathBuf>,
        /// 另将成绩汇总表和每位考生的成绩单（HTML，可用 qbank pdf 打印）写到此文件夹。
        #[arg(long)]
        sheets: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum PortalCommand {
    /// 固定门户的签名公钥（portal.pub），与门户安装时打印的指纹核对。
    Pin {
        /// 门户的公钥文件 portal.pub。
        #[arg(long)]
        key: PathBuf,
        /// 门户安装时打印的公钥指纹（经其他渠道核对）。
        #[arg(long)]
        fingerprint: String,
    },
    /// 导出发往门户的数据包（鉴定中心签名）：机构目录、封装包、已签发的发布、注册码摘要、上传的处理结果。
    Outbox {
        /// 写出的数据包文件。
        #[arg(long)]
        out: PathBuf,
        /// qbank sitting 写出的封装包文件夹（可多次给出；按摘要匹配）。
        #[arg(long)]
        packages: Vec<PathBuf>,
        /// 为这些机构发放机构管理员注册码（可多次给出）。
        #[arg(long)]
        enrol: Vec<String>,
        /// 注册码通知函写入的文件夹（权限 0600）。
        #[arg(long)]
        letters: Option<PathBuf>,
    },
    /// 导入门户回传的数据包：补充试题进入审核队列，机考成绩进入试题质量分析。
    Inbox {
        /// 门户回传的数据包文件。
        file: PathBuf,
        /// 补充试题查重的相似度阈值。
        #[arg(long, default_value_t = qbank::screen::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// 试题质量分析报告（HTML，权限 0600）。
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum SubmissionCommand {
    /// 在评价机构的计算机上：将题库 TOML 文件或 Excel 模板加密给固定的鉴定中心公钥，并以本机构密钥认证。
    Seal {
        /// 题库 TOML 文件或 Excel 模板（.xlsx）。
        file: PathBuf,
        /// 本机构的私钥文件（含 `org pin` 固定的鉴定中心公钥）。
        #[arg(long)]
        org_key: PathBuf,
        /// 用于与固定公钥核对的 bureau.pub（可选：默认用固定值）。
        #[arg(long)]
        bureau_key: Option<PathBuf>,
        /// 命题人所在机构（备案号）；须与密钥文件的机构一致。
        #[arg(long)]
        org: Option<String>,
        /// 命题人姓名（密封传递，只有鉴定中心可见）。
        #[arg(long)]
        writer: String,
        /// 加密后的提交文件。
        #[arg(long)]
        out: PathBuf,
    },
    /// 打开、检查、查重并将加密的提交放入审核队列（全部成功或全不放入）。
    Import {
        /// 加密的提交文件。
        file: PathBuf,
        /// 相似度达到或超过此值的试题视为近似重复。
        #[arg(long, default_value_t = qbank::screen::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// 这些试题只用于提交企业自己的自主评价题库。
        #[arg(long)]
        overlay: bool,
    },
}

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// 审核队列。
    List {
        /// 只列此状态：pending（待审核）、changes-requested（退回修改）、rejected（不予采用）或 accepted（已采用入库）。
        #[arg(long)]
        status: Option<String>,
    },
    /// 显示队列中一道试题的全部内容及其审核记录。
    Show {
        /// 试题编号。
        id: String,
    },
    /// 审核采用（须两位不同的审核员采用才入库）。
    Accept {
        /// 试题编号。
        id: String,
        /// 审核员的个人密钥文件（以 `qbank person add --role reviewer` 登记）。
        #[arg(long)]
        reviewer_key: PathBuf,
        /// 审核意见。
        #[arg(long, default_value = "")]
        comment: String,
        /// 入库时的状态：pilot（试测）或 active（在用）。
        #[arg(long, default_value = "pilot")]
        status: String,
    },
    /// 不予采用（须写明意见）。
    Reject {
        /// 试题编号。
        id: String,
        /// 审核员的个人密钥文件（以 `qbank person add --role reviewer` 登记）。
        #[arg(long)]
        reviewer_key: PathBuf,
        /// 审核意见（必填）。
        #[arg(long)]
        comment: String,
    },
    /// 退回修改（须写明意见）。
    RequestChanges {
        /// 试题编号。
        id: String,
        /// 审核员的个人密钥文件（以 `qbank person add --role reviewer` 登记）。
        #[arg(long)]
        reviewer_key: PathBuf,
        /// 修改意见（必填）。
        #[arg(long)]
        comment: String,
    },
}

#[derive(Subcommand)]
pub enum PersonCommand {
    /// 在本人的介质上生成密钥对（ID.key 为私钥须保密；ID.pub 交鉴定中心）。
    Keygen {
        /// 人员编号。
        #[arg(long)]
        id: String,
        /// 输出文件夹。
        #[arg(long)]
        out: PathBuf,
    },
    /// 以本人生成的公钥文件登记人员。
    Add {
        /// 人员编号。
        id: String,
        /// 姓名。
        #[arg(long)]
        name: String,
        /// 角色：reviewer（审核员）或 operator（操作员），可重复。
        #[arg(long, required = true)]
        role: Vec<String>,
        /// 本人的公钥文件（.pub）。
        #[arg(long = "pub")]
        public_key: PathBuf,
    },
    /// 列出登记人员。
    List,
    /// 吊销人员的密钥：此后不能再签名。
    Revoke {
        /// 人员编号。
        id: String,
        /// 吊销理由。
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
pub enum FeedbackCommand {
    /// 导入评价机构的意见反馈文件（CSV）；同一文件再次导入不重复存储。
    Import {
        /// 反馈文件（CSV）。
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ItemCommand {
    /// 暂停使用条目（如考试中发现答案错误）：新组的试卷不再抽到它。
    Suspend {
        /// 条目编号。
        id: String,
        /// 理由（密封保存）。
        #[arg(long)]
        reason: String,
    },
    /// 恢复使用已暂停的条目。
    Reinstate {
        /// 条目编号。
        id: String,
        /// 理由（密封保存）。
        #[arg(long)]
        reason: String,
        /// 恢复后的状态：active（在用）或 pilot（试测）。
        #[arg(long, default_value = "active")]
        status: String,
    },
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// 以评价机构发来的公钥文件登记该机构（机构一方用 `org keygen` 生成）。
    Add {
        /// 备案号，如 S000032100001。
        #[arg(long)]
        id: String,
        /// 机构名称。
        #[arg(long)]
        name: String,
        /// Y（用人单位）或 S（社会培训评价组织）。
        #[arg(long)]
        kind: String,
        /// enterprise（企业自主评价）、training（职业培训机构）、school（技工院校）或 third-party（第三方评价机构）。
        #[arg(long)]
        category: String,
        /// 所在地区，如 江苏省南京市。
        #[arg(long)]
        region: String,
        /// 可认定的 职业编码:等级，如 6-31-01-03:4,3；专项职业能力只给编码（不分等级），如 S3200001（可重复）。
        #[arg(long, required = true)]
        certify: Vec<String>,
        /// 该机构的公钥文件（.pub）。
        #[arg(long)]
        public_key: PathBuf,
    },
    /// 列出目录中的机构。
    List,
    /// 显示一个机构的登记信息和状态记录。
    Show {
        /// 备案号。
        id: String,
    },
    /// 暂停机构：恢复前不再获得试卷。
    Suspend {
        /// 备案号。
        id: String,
        /// 暂停理由。
        #[arg(long)]
        reason: String,
    },
    /// 恢复已暂停的机构。
    Reinstate {
        /// 备案号。
        id: String,
        /// 恢复理由。
        #[arg(long)]
        reason: String,
    },
    /// 在评价机构的计算机上：生成本机构的密钥对（ID.key 为私钥须保密；ID.pub 交鉴定中心）。
    Keygen {
        /// 备案号。
        #[arg(long)]
        id: String,
        /// 输出文件夹。
        #[arg(long)]
        out: PathBuf,
    },
    /// 在评价机构的计算机上：按备案时鉴定中心给的固定值核对 bureau.pub 后，将鉴定中心公钥固定到本机构的密钥文件中。
    Pin {
        /// 本机构的私钥文件。
        #[arg(long)]
        org_key: PathBuf,
        /// 鉴定中心的公钥文件（bureau.pub）。
        #[arg(long)]
        bureau_key: PathBuf,
        /// 备案时鉴定中心给出的固定值（64 位十六进制，`qbank bureau-key pin`）。
        #[arg(long)]
        fingerprint: String,
    },
}

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// 将 catalog.json、catalog.csv、catalog.html 和 bureau.pub 写入一个文件夹。
    Publish {
        /// 输出文件夹。
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum BureauKeyCommand {
    /// 写出鉴定中心的公钥文件。
    Export {
        /// 公钥文件的写入位置。
        #[arg(long)]
        out: PathBuf,
    },
    /// 打印鉴定中心公钥的固定值（64 位十六进制），备案时交给每个机构。
    Pin,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 按时间顺序列出每条审计记录。
    List {
        /// 只列最后 N 条。
        #[arg(long)]
        last: Option<usize>,
    },
    /// 验证日志链接、每个签名、日志末尾，以及记录与存储头所记一致；给出 --anchor 时，另验证日志含有每个已签发封装包或发布文件所记的审计检查点（被回滚的存储不含）。
    Verify {
        /// 已签发的封装包（.qpkg）或发布文件（release.json），日志须含其签名的审计检查点；可多次给出。
        #[arg(long, value_name = "FILE")]
        anchor: Vec<PathBuf>,
    },
}

#[derive(Args)]
pub struct ListArgs {
    /// 职业编码，如 6-31-01-03。
    #[arg(long)]
    pub occupation: Option<String>,
    /// 等级：5..1 或名称（四级、中级工）；专项职业能力为 zx。
    #[arg(long)]
    pub level: Option<String>,
    /// 鉴定点代码或其前缀（2、2.1、2.1.3）。
    #[arg(long)]
    pub clause: Option<String>,
    /// 题型：判断 单选 多选 填空 简答 计算 论述。
    #[arg(long = "type")]
    pub item_type: Option<String>,
    /// 类别：item（理论试题）、task（操作技能试题）或 defence（答辩题目）。
    #[arg(long)]
    pub kind: Option<String>,
    /// 状态：draft（草稿）、pilot（试测）、active（在用）、suspended（暂停使用）或 retired（停用）。
    #[arg(long)]
    pub status: Option<String>,
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// 轮换主密钥：以新主密钥和新数据密钥重写整个存储。
    Rotate {
        /// 新密钥文件（不存在时创建）。未给出时用 QBANK_NEW_PASSPHRASE 中的口令。
        #[arg(long)]
        new_key_file: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every subcommand and every option and argument has help text, in Chinese (the bureau's
    /// staff read it): walks the whole command tree.
    #[test]
    fn every_subcommand_and_option_has_chinese_help() {
        fn chinese(s: &str) -> bool {
            s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        }
        fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if !a.get_help().is_some_and(|h| chinese(&h.to_string())) {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for s in c.get_subcommands() {
                let p = format!("{path} {}", s.get_name());
                if s.get_name() != "help" && !s.get_about().is_some_and(|h| chinese(&h.to_string()))
                {
                    missing.push(p.clone());
                }
                walk(s, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "qbank", &mut missing);
        assert!(missing.is_empty(), "no Chinese help: {missing:#?}");
    }
}
