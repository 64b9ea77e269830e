//! Command-line interface (clap derive; the doc comments are the help text).

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::{
    Arg, ArgAction, CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum,
};

use crate::render::companion::{self, COMPANIONS, Companion};

/// サイバー攻撃を想定した事業継続計画（BCP）を facility TOML から PDF に組版します。
#[derive(Debug, Parser)]
#[command(
    name = "cyberbcp",
    version,
    about,
    long_about = None,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// 色付きで表示するか（auto: 端末のときだけ）
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true, value_name = "色")]
    pub color: Color,

    /// 省略すると edit と同じ（ダブルクリックで起動したとき: この場所の facility.toml をブラウザで編集）
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// TOML から BCP の PDF を作ります（既定: TOML と同じ場所に同じ名前の .pdf）
    Build(BuildArgs),
    /// 確認表（27 項目）のどれが記載済みかを判定して表示します（PDF は作りません）
    Check(CheckArgs),
    /// 2 つの版の TOML を比べ、どの節の何が変わったかを表示します（終了コード: 0 同じ、1 違いあり、2 入力の誤り）
    Diff(DiffArgs),
    /// 施設の種類に合わせたひな形の TOML（全キーの説明つき）と、エディタ用の JSON Schema を作ります（--example で記入例、--templates でテンプレートの書き出し）
    Init(InitArgs),
    /// TOML・参照ファイル・テンプレートを保存するたびに PDF を作り直します
    ///
    /// 壊れた保存ではエラーを表示し、前の PDF のまま監視を続けます。組版が制限時間（180 秒。環境変数 CYBERBCP_TYPST_TIMEOUT で変更）を超えたときは、止められない組版が CPU を使い続けないよう前の PDF を残して監視を終了します（終了コード 1）。テンプレートを直してから起動し直してください。
    Watch(WatchArgs),
    /// 計画をブラウザの入力画面で編集します（同じ TOML を書き換え、確認表の判定と PDF も画面で。引数なしで cyberbcp を起動しても同じ）
    ///
    /// 127.0.0.1 だけで待ち受け、起動ごとの鍵（token）つきの URL を表示して既定のブラウザで開きます。TOML を省略するとこのフォルダの facility.toml（無ければ画面で病院・診療所・薬局のひな形を選んで作ります）。終了は Ctrl+C。ページを閉じて 2 分半ほどたつか、ページを一度も開かないまま 15 分たっても終了します（閉じても 2 分半のうちならページを開き直して続けられます。保存していない入力があれば、ページを閉じる前にブラウザが確かめます）。
    Edit(EditArgs),
    /// 施設 TOML の JSON Schema を出力します（エディタの補完・説明・誤りの下線に。init が TOML の隣に書くものと同じ）
    Schema(SchemaArgs),
    /// コマンドの説明を表示します（cyberbcp help build は cyberbcp build --help と同じ）
    Help(HelpArgs),
}

#[derive(Debug, clap::Args)]
pub struct HelpArgs {
    /// 説明を見るコマンド（省略すると全体の説明）
    #[arg(value_name = "コマンド", value_parser = ["build", "check", "diff", "init", "watch", "edit", "schema", "help"])]
    pub command: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// 書き出すファイル（既定: 標準出力）
    #[arg(short, long, value_name = "ファイル")]
    pub output: Option<PathBuf>,

    /// 共通ファイル（本部の TOML）と extends する施設の TOML 用のスキーマ（どの表も省略でき、残りは共通ファイルから）
    #[arg(long)]
    pub base: bool,
}

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// 施設の TOML ファイル
    #[arg(value_name = "TOML")]
    pub input: PathBuf,

    /// 出力する PDF のパス（既定: TOML と同じ場所に同じ名前の .pdf）
    #[arg(short, long, value_name = "PDF")]
    pub output: Option<PathBuf>,

    /// テンプレートを上書きするファイルを置いたフォルダ（変更も監視します）
    #[arg(long, value_name = "フォルダ")]
    pub templates: Option<PathBuf>,

    /// 一緒に作り直す書類（カンマ区切り、all ですべて。build --also と同じ）
    #[arg(long, value_enum, value_delimiter = ',', value_name = "書類")]
    pub also: Vec<Also>,

    /// 変更通知を使わず 0.5 秒ごとに確認する（ネットワークドライブ・WSL 向け）
    #[arg(long)]
    pub poll: bool,

    #[arg(long, value_name = "日付", value_parser = parse_date, help = TODAY_HELP)]
    pub today: Option<crate::model::Date>,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct EditArgs {
    /// 施設の TOML ファイル（既定: このフォルダの facility.toml）
    #[arg(value_name = "TOML")]
    pub input: Option<PathBuf>,

    /// 待ち受けるポート番号（既定: 空いている番号）
    #[arg(long, value_name = "番号")]
    pub port: Option<u16>,

    /// ブラウザを開かず URL を表示するだけにする
    #[arg(long)]
    pub no_open: bool,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// 前の版の TOML（例: facility-1.1.toml。印刷した版を名前を変えて残しておきます）
    #[arg(value_name = "前の版.toml")]
    pub old: PathBuf,

    /// 新しい版の TOML（例: facility.toml）
    #[arg(value_name = "新しい版.toml")]
    pub new: PathBuf,

    /// 出力の形式（table: 節ごとの一覧と改訂内容の案、json: スクリプト向け）
    #[arg(long, value_enum, default_value_t = DiffFormat::Table, value_name = "形式")]
    pub format: DiffFormat,

    /// 共通ファイル（本部の TOML）の編集前の写しと編集後を比べ、このフォルダの施設のうち印刷内容が変わるものを一覧にする
    #[arg(long, value_name = "フォルダ")]
    pub stores: Option<PathBuf>,

    /// 確認表の判定の基準日（例: 2025-04-01。既定: SOURCE_DATE_EPOCH か今日）
    #[arg(long, value_name = "日付", value_parser = parse_date)]
    pub today: Option<crate::model::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// 作る TOML ファイル（既定: facility.toml。すでにあれば上書きしません）。フォルダがなければ作ります（例: cyberbcp init --kind clinic 新店舗/facility.toml）
    #[arg(value_name = "TOML")]
    pub path: Option<PathBuf>,

    /// 施設の種類（ひな形の言い回しと、--example の記入例が変わります）
    #[arg(long, value_enum, default_value_t = KindArg::Hospital, value_name = "種類")]
    pub kind: KindArg,

    /// 組み込みテンプレートをこのフォルダに書き出す（build --templates で使えます）
    #[arg(long, value_name = "フォルダ")]
    pub templates: Option<PathBuf>,

    /// グループ・チェーンの施設用: 本部の共通ファイル（例: ../hq.toml。作る TOML のフォルダからの相対パス）を読み込み、施設だけが書くキーのひな形を作る
    #[arg(long, value_name = "共通ファイル", conflicts_with_all = ["example", "templates"])]
    pub extends: Option<String>,

    /// 全項目を埋めた記入例（--kind の種類: 架空の 200 床の病院・無床診療所・保険薬局）を、参照する台帳・構成図と一緒にこのフォルダに書き出す
    #[arg(long, value_name = "フォルダ", conflicts_with_all = ["path", "templates"])]
    pub example: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// 病院
    Hospital,
    /// 診療所
    Clinic,
    /// 薬局
    Pharmacy,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// 施設の TOML ファイル（例: facility.toml）、またはそれを含むフォルダ（施設 × 27 項目の一覧）
    #[arg(value_name = "TOML")]
    pub input: PathBuf,

    /// 出力の形式（table: 端末向けの表、json: スクリプト・集計向け）
    #[arg(long, value_enum, default_value_t = Format::Table, value_name = "形式")]
    pub format: Format,

    /// 記載済でない項目が一つでもあれば終了コード 1 で終わる
    #[arg(long)]
    pub strict: bool,

    #[arg(long, value_name = "日付", value_parser = parse_date, help = TODAY_HELP)]
    pub today: Option<crate::model::Date>,
}

/// `--today` of check, build and watch: one text, one parser, one day.
const TODAY_HELP: &str = "判定の基準日（例: 2025-04-01）。直近 12 か月の訓練の有無、見直し・訓練の古さ、サポート終了 OS をこの日で判定する。check・build・watch とも同じ日なら同じ判定で、build の PDF の付録の確認表には「判定日」として印刷する（既定: SOURCE_DATE_EPOCH か、日本時間の今日）";

fn parse_date(s: &str) -> Result<crate::model::Date, String> {
    crate::model::Date::parse(s)
        .ok_or_else(|| format!("日付は 2025-04-01 の形で指定してください: {s}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// 施設 × 27 項目の一覧（Excel 用 BOM 付き）
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// 施設の TOML ファイル（例: facility.toml）、またはそれを含むフォルダ（中の TOML をすべて）
    #[arg(value_name = "TOML")]
    pub input: PathBuf,

    /// フォルダを指定したとき: PDF をこのフォルダに（元のフォルダ構成のまま）書き出す
    #[arg(long, value_name = "フォルダ")]
    pub out_dir: Option<PathBuf>,

    /// フォルダを指定したとき: 施設ごとの結果の一覧を CSV（Excel 用 BOM 付き）に書き出す
    #[arg(long, value_name = "ファイル")]
    pub summary: Option<PathBuf>,

    /// フォルダを指定したとき: 同時に組版する数（既定: CPU コア数）
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// 出力する PDF（.docx なら Word）のパス（- で標準出力）。読み込むファイル（TOML・台帳・構成図・テンプレート）と同じなら書きません
    #[arg(short, long, value_name = "PDF")]
    pub output: Option<PathBuf>,

    /// 生成した Typst ソース（main.typ、lib.typ、data.json、画像、フォント）もこのフォルダに書き出す
    #[arg(long, value_name = "フォルダ")]
    pub emit_typst: Option<PathBuf>,

    /// テンプレートを上書きするファイルを置いたフォルダ（無いファイルは組み込みを使います）
    #[arg(long, value_name = "フォルダ")]
    pub templates: Option<PathBuf>,

    /// 前の版の TOML と比べ、改訂履歴の後に「前版からの主な変更点」を載せ、変更した節の余白に印を付ける
    /// （[[revisions]] に貼る改訂内容の案も表示します）
    #[arg(long, value_name = "前の版.toml")]
    pub changes_from: Option<PathBuf>,

    /// 外部に渡す配布用の写しを作る: IP アドレス・コンピュータ名・個人の携帯電話とメール・構成図・
    /// リモート保守の詳細・private = true の行・[distribution] redact のキーを ■■■ で非表示にします
    /// （既定の出力: 名前-public.pdf。--also の書類も同じく）
    #[arg(long)]
    pub public: bool,

    /// 一緒に作る書類（カンマ区切り、all ですべて）。PDF の隣に 名前-poster.pdf などとして書き出します
    #[arg(long, value_enum, value_delimiter = ',', value_name = "書類")]
    pub also: Vec<Also>,

    #[arg(long, value_name = "日付", value_parser = parse_date, help = TODAY_HELP)]
    pub today: Option<crate::model::Date>,

    /// 出力の形式: pdf（既定）または docx（Word。-o の拡張子が .docx ならそれで決まります）。docx では --also の報告様式（form）と情報公開の文案（disclosure）も Word で作ります
    #[arg(long, value_enum, value_name = "形式")]
    pub format: Option<DocFormat>,
}

/// `build --format`: the plan as a PDF (Typst's pages) or as a Word file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DocFormat {
    /// PDF（印刷・配布用）
    #[default]
    Pdf,
    /// Word（.docx、コメント・貼り付け用。TOML が元。数字は TOML で直して作り直す）
    Docx,
}

impl DocFormat {
    pub fn extension(self) -> &'static str {
        match self {
            DocFormat::Pdf => "pdf",
            DocFormat::Docx => "docx",
        }
    }

    /// `--format`, else the extension of `-o` (`plan.docx`), else PDF.
    pub fn choose(
        flag: Option<DocFormat>,
        output: Option<&std::path::Path>,
    ) -> anyhow::Result<DocFormat> {
        let by_name = output
            .and_then(|o| o.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .and_then(|e| match e.as_str() {
                "docx" => Some(DocFormat::Docx),
                "pdf" => Some(DocFormat::Pdf),
                _ => None,
            });
        match (flag, by_name) {
            (Some(f), Some(n)) if f != n => anyhow::bail!(
                "-o の拡張子（.{}）と --format {} が違います（どちらかに揃えてください）",
                n.extension(),
                f.extension()
            ),
            (Some(f), _) => Ok(f),
            (None, Some(n)) => Ok(n),
            (None, None) => Ok(DocFormat::Pdf),
        }
    }
}

/// The first screen of `cyberbcp --help`: where a new user starts.
const ROOT_TEMPLATE: &str = "\
{about-with-newline}
はじめての方へ: cyberbcp edit（引数なしで起動しても同じ）でブラウザの入力画面が開きます。
TOML を直接書く方は cyberbcp init --kind clinic（病院は hospital、薬局は pharmacy）で
説明つきのひな形 facility.toml を作り、書き換えてから cyberbcp build facility.toml で
PDF にします。記入例は cyberbcp init --example 例 で見られます。

使い方: {usage}

{all-args}{after-help}
";

const TEMPLATE: &str = "\
{about-with-newline}
使い方: {usage}

{all-args}{after-help}
";

/// The command line as users see it: clap's help and usage scaffolding
/// (headings, "Usage:", `[default: …]`, the help flag's text) in Japanese.
/// Parse with this, not `Cli::parse`, so help and errors stay Japanese.
pub fn command() -> clap::Command {
    let mut cmd = localize(Cli::command(), ROOT_TEMPLATE)
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("バージョンを表示します")
                .help_heading(OPTIONS),
        );
    // Usage lines exist only once clap has built the tree (bin names).
    cmd.build();
    let usage = |c: &mut clap::Command| {
        let text = c.render_usage().to_string();
        let text = text.strip_prefix("Usage: ").unwrap_or(&text).to_string();
        text.replace("[OPTIONS]", "[オプション]")
    };
    let root = usage(&mut cmd);
    for sub in cmd.get_subcommands_mut() {
        let text = usage(sub);
        *sub = std::mem::take(sub).override_usage(text);
    }
    cmd.override_usage(root)
}

/// Parse the process's arguments with the Japanese [`command`].
pub fn parse() -> Result<Cli, clap::Error> {
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.with_cmd(&cmd))
}

/// The subcommand an argument list asks for (`cyberbcp check …` → its
/// command) and its usage line: for errors clap reports without a usage.
pub fn invoked(args: &[String]) -> (String, Option<String>) {
    let mut cmd = command();
    let name = args
        .iter()
        .skip(1)
        .find(|a| cmd.find_subcommand(a.as_str()).is_some());
    let (label, target) = match name.and_then(|n| cmd.find_subcommand_mut(n.as_str())) {
        Some(sub) => (format!("cyberbcp {}", sub.get_name()), sub),
        None => ("cyberbcp".to_string(), &mut cmd),
    };
    let usage = target.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage).to_string();
    (label, Some(usage))
}

const OPTIONS: &str = "オプション";

fn localize(cmd: clap::Command, template: &'static str) -> clap::Command {
    cmd.help_template(template)
        .subcommand_help_heading("コマンド")
        .subcommand_value_name("コマンド")
        .disable_help_flag(true)
        .mut_args(localize_arg)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("説明を表示します（-h は短く、--help は詳しく）")
                .help_heading(OPTIONS),
        )
        .mut_subcommands(|sub| localize(sub, TEMPLATE))
}

/// An argument's heading, default and possible values, written into its own
/// (Japanese) help instead of clap's English `[default: …]` brackets.
fn localize_arg(arg: Arg) -> Arg {
    let heading = if arg.is_positional() {
        "引数"
    } else {
        OPTIONS
    };
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let mut short = help.clone();
    let mut long = help;
    let values = arg.get_possible_values();
    if !values.is_empty() && arg.get_action().takes_values() {
        let names: Vec<&str> = values.iter().map(|v| v.get_name()).collect();
        short.push_str(&format!("（選べる値: {}）", names.join(", ")));
        if values.iter().any(|v| v.get_help().is_some()) {
            long.push_str("\n選べる値:");
            for v in &values {
                match v.get_help() {
                    Some(h) => long.push_str(&format!("\n  {}: {h}", v.get_name())),
                    None => long.push_str(&format!("\n  {}", v.get_name())),
                }
            }
        } else {
            long.push_str(&format!("\n選べる値: {}", names.join(", ")));
        }
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        let text = format!("（既定: {}）", defaults.join(" "));
        short.push_str(&text);
        long.push_str(&format!("\n既定: {}", defaults.join(" ")));
    }
    let takes_values = arg.get_action().takes_values();
    let arg = arg.help_heading(heading).help(short).long_help(long);
    if takes_values {
        arg.hide_default_value(true).hide_possible_values(true)
    } else {
        arg
    }
}

/// A `--also` value: a document of [`COMPANIONS`] by name, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Also {
    All,
    One(&'static Companion),
}

static ALSO_VALUES: LazyLock<Vec<Also>> = LazyLock::new(|| {
    COMPANIONS
        .iter()
        .map(Also::One)
        .chain([Also::All])
        .collect()
});

impl ValueEnum for Also {
    fn value_variants<'a>() -> &'a [Self] {
        &ALSO_VALUES
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(match self {
            Also::All => PossibleValue::new(companion::ALL).help("上のすべて"),
            Also::One(c) => PossibleValue::new(c.name).help(c.help()),
        })
    }
}

/// The documents `--also` asks for, each once, in the order given (`all`: table order).
pub fn companions(also: &[Also]) -> Vec<&'static Companion> {
    let mut out: Vec<&'static Companion> = Vec::new();
    for a in also {
        let these = match a {
            Also::All => COMPANIONS.iter().collect(),
            Also::One(c) => vec![*c],
        };
        for c in these {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
        // The Japanese command line too (its own help flag, headings, usages).
        super::command().debug_assert();
    }

    #[test]
    fn also_takes_every_companion_and_all() {
        use clap::Parser as _;
        let parse = |also: &str| {
            let cli = super::Cli::try_parse_from(["cyberbcp", "build", "f.toml", "--also", also])
                .unwrap();
            let Some(super::Command::Build(args)) = cli.command else {
                unreachable!()
            };
            super::companions(&args.also)
        };
        for c in super::COMPANIONS {
            assert_eq!(parse(c.name), [c]);
        }
        let all = parse("poster,all,poster");
        assert_eq!(all.len(), super::COMPANIONS.len());
        assert_eq!(all[0].name, "poster");
    }
}
