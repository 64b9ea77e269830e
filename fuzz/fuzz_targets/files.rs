//! The files a plan references: the device-ledger CSV and the network diagram
//! (PNG, JPEG, GIF, SVG). Whatever the bytes, the checks answer with a
//! diagnostic or an asset, never a panic, an abort or a huge allocation; an
//! image they accept must then compile in Typst.
#![no_main]

use std::path::Path;

use cyberbcp::model::devices;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("input");
    let _ = devices::parse_csv(path, "device_ledger.file", data);
    let _ = devices::image_asset(path, "network.diagram", data.to_vec());
});
