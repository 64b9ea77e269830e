//! A synthetic facility as large as a big hospital's ledger gets: used by the
//! scale test and by `cargo bench --bench scale` (shared with `#[path]`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Write `facility.toml` (the example hospital with `contacts` extra contacts)
/// and `devices.csv` (`devices` rows) into `dir`; returns the TOML's path.
pub fn write_scale_facility(dir: &Path, devices: usize, contacts: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut csv = String::from(
        "管理番号,メーカー,OS,ソフトウェア,ソフトウェアバージョン,IPアドレス,コンピュータ名,設置場所,利用者,登録日,状態,説明\n",
    );
    for i in 0..devices {
        let (kind, os) = match i % 4 {
            0 => ("PC", "Windows 11 Pro 23H2"),
            1 => ("SV", "Windows Server 2022"),
            2 => ("NW", "独自OS"),
            _ => ("PR", "—"),
        };
        writeln!(
            csv,
            "{kind}-{i:05},{}社,{os},電子カルテ端末 {i},5.{},10.{}.{}.{},host-{i:05},{}病棟 {}号室,{}科,2023/{}/{},稼働,定期点検済み（{i}）",
            ["A", "B", "C", "D"][i % 4],
            i % 10,
            i / 65536 % 256,
            i / 256 % 256,
            i % 256,
            i % 12 + 1,
            i % 40 + 1,
            ["内", "外", "小児", "整形外"][i % 4],
            i % 12 + 1,
            i % 28 + 1
        )
        .unwrap();
    }
    std::fs::write(dir.join("devices.csv"), csv).unwrap();
    std::fs::copy(root.join("examples/network.svg"), dir.join("network.svg")).unwrap();

    let example = std::fs::read_to_string(root.join("facility.example.toml")).unwrap();
    let mut toml = example
        .replace("file = \"examples/devices.csv\"", "file = \"devices.csv\"")
        .replace(
            "diagram = \"examples/network.svg\"",
            "diagram = \"network.svg\"",
        );
    for i in 0..contacts {
        let (category, name, systems) = match i % 5 {
            0 | 1 => ("internal", format!("病棟・部門 {i}"), ""),
            2 | 3 => (
                "vendor",
                format!("保守事業者 {i} 株式会社"),
                "systems = [\"PACS\"]\n",
            ),
            _ => ("agency", format!("関係機関 {i}"), ""),
        };
        write!(
            toml,
            "\n[[contacts]]\nname = \"{name}\"\ncategory = \"{category}\"\nperson = \"担当者 {i}\"\nphone = \"03-0000-{:04}\"\nemail = \"c{i}@example.jp\"\nhours = \"平日 9時〜17時\"\n{systems}",
            i % 10_000
        )
        .unwrap();
    }
    let path = dir.join("facility.toml");
    std::fs::write(&path, toml).unwrap();
    path
}
