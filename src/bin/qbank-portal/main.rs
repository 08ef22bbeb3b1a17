//! `qbank-portal`: the networked portal's command line — set up (pin the bureau's keys, make
//! the portal's signing key), import an outbox, export an inbox, add the bureau's operator,
//! verify the log, and serve. Each command is one call into `qbank::site`; no logic here.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use qbank::site::Site;
use qbank::site::setup::{self, Config, read_config};
use qbank::{Error, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "qbank-portal",
    about = "职业技能等级认定门户：封装包下载、试题与成绩上传、与离线保管库的数据交换。"
)]
struct Cli {
    /// 门户的文件夹（portal.toml、portal.key、SQLite 数据库）。
    #[arg(
        long,
        env = "QBANK_PORTAL_DIR",
        default_value = "portal",
        global = true
    )]
    dir: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// 安装门户：固定鉴定中心公钥（与备案时给出的固定值核对），生成门户签名密钥，建立数据库。
    Init {
        /// 鉴定中心公钥文件 bureau.pub。
        #[arg(long)]
        bureau_key: PathBuf,
        /// 鉴定中心公钥的固定值（64 位十六进制，书面给出）。
        #[arg(long)]
        pin: String,
        /// 数据库地址（默认：文件夹中的 SQLite；多节点用 postgres://…）。
        #[arg(long, env = "QBANK_PORTAL_DATABASE")]
        database: Option<String>,
        /// 监听地址。
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// 在纯 HTTP 上运行（仅限本机回环测试；生产环境经 TLS 反向代理，保持关闭）。
        #[arg(long)]
        insecure_cookies: bool,
    },
    /// 导入鉴定中心发来的数据包（核验签名；重复导入无变化）。
    Import { file: PathBuf },
    /// 导出自上次以来收到的全部上传（门户签名），带回离线保管库。
    Inbox {
        #[arg(long)]
        out: PathBuf,
    },
    /// 添加鉴定中心操作员账户（密码取自环境变量 QBANK_PORTAL_PASSWORD）。
    Operator {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
    },
    /// 停用某用户的动态口令（用户手机丢失时，核实身份后使用）。
    TotpReset {
        /// 用户的登录名。
        #[arg(long)]
        login: String,
    },
    /// 核验门户日志的哈希链。
    VerifyLog,
    /// 启动门户服务。
    Serve {
        /// 监听地址（覆盖 portal.toml）。
        #[arg(long)]
        listen: Option<String>,
    },
}

/// A database address as it may be printed: no password, no parameters.
fn shown(url: &str) -> String {
    let url = url.split('?').next().unwrap_or("");
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://…@{host}"),
        _ => url.to_string(),
    }
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

async fn run(cli: Cli) -> Result<()> {
    let dir = cli.dir;
    match cli.cmd {
        Cmd::Init {
            bureau_key,
            pin,
            database,
            listen,
            insecure_cookies,
        } => {
            let c = Config {
                database: database
                    .unwrap_or_else(|| format!("sqlite://{}", dir.join("portal.db").display())),
                listen,
                secure_cookies: !insecure_cookies,
            };
            let i = setup::init(&dir, &bureau_key, &pin, c, now()).await?;
            println!(
                "门户已安装：{}（数据库 {}）",
                dir.display(),
                shown(&i.config.database)
            );
            println!("鉴定中心公钥已固定：{}", i.bureau_pin);
            println!(
                "门户签名公钥：{}，指纹 {}（请经书面渠道告知鉴定中心，用 qbank portal pin 固定）",
                i.portal_pub.display(),
                i.portal_fingerprint
            );
        }
        Cmd::Import { file } => {
            let site = Site::connect(&read_config(&dir)?.database).await?;
            let o = setup::import_file(&site, &file, now()).await?;
            if o.again {
                println!("第 {} 号数据包已导入过，无变化", o.seq);
            } else {
                println!(
                    "已导入第 {} 号数据包：机构 {} 家、考试 {} 场、封装包 {} 个、发布 {} 份、注册码 {} 个、处理结果 {} 条",
                    o.seq,
                    o.organisations,
                    o.sittings,
                    o.packages,
                    o.releases,
                    o.enrolments,
                    o.receipts
                );
            }
        }
        Cmd::Inbox { out } => {
            let site = Site::connect(&read_config(&dir)?.database).await?;
            let (seq, n) = setup::inbox_file(&site, &dir, &out, now()).await?;
            println!("已导出第 {seq} 号回传包 {}：上传 {n} 件", out.display());
        }
        Cmd::Operator { login, name } => {
            let cfg = read_config(&dir)?;
            let site = Site::connect(&cfg.database).await?;
            let pw =
                zeroize::Zeroizing::new(std::env::var("QBANK_PORTAL_PASSWORD").map_err(|_| {
                    Error::Usage("请在环境变量 QBANK_PORTAL_PASSWORD 中给出初始密码".into())
                })?);
            site.add_operator(&login, &name, &pw, now()).await?;
            println!("已添加鉴定中心操作员 {login}");
        }
        Cmd::TotpReset { login } => {
            let cfg = read_config(&dir)?;
            let site = Site::connect(&cfg.database).await?;
            site.totp_reset(&login, now()).await?;
            println!("已停用 {login} 的动态口令；该用户下次登录只需密码，可重新启用");
        }
        Cmd::VerifyLog => {
            let cfg = read_config(&dir)?;
            let site = Site::connect(&cfg.database).await?;
            let n = site.verify_log().await?;
            println!("门户日志完整：共 {n} 条");
        }
        Cmd::Serve { listen } => {
            let (site, cfg) = setup::open(&dir).await?;
            let addr = listen.unwrap_or(cfg.listen);
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|e| Error::Usage(format!("无法监听 {addr}：{e}")))?;
            let app = Arc::new(qbank::portalserver::App {
                site,
                secure_cookies: cfg.secure_cookies,
            });
            println!(
                "门户服务已启动：http://{}",
                listener.local_addr().map(|a| a.to_string()).unwrap_or(addr)
            );
            qbank::portalserver::serve(app, listener)
                .await
                .map_err(|e| Error::Usage(format!("门户服务停止：{e}")))?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::from(7);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(e.exit_code())
        }
    }
}
