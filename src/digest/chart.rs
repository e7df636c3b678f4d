//! Charts for the digest: small PNG bar and line charts, and the terminal
//! sparkline of `kabar trends`.
//!
//! Mail clients show images reliably only as attached bitmaps (no SVG, no
//! scripts, often no CSS sizing), so a chart is a PNG embedded in the message
//! and referenced by `cid:`. kabar draws the pixels itself into an indexed
//! (palette) canvas and encodes it with the `png` crate: no font, no system
//! library, a chart of a few hundred bytes, and the same bytes for the same
//! data on every machine (fixed palette, compression and filter), so charts
//! have golden files. Labels and numbers are text in the HTML around the
//! image, where they are readable, translatable and accessible.

use std::fmt::Write as _;

/// Width of a digest chart in pixels (fits a phone's mail column).
pub const DEFAULT_WIDTH: u32 = 300;
pub const DEFAULT_HEIGHT: u32 = 80;

const PAD: u32 = 2;

/// Palette indices of the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Ink {
    Background = 0,
    Bar = 1,
    Highlight = 2,
    Band = 3,
    Axis = 4,
    Line = 5,
}

/// RGB of each [`Ink`], in index order: white, slate, red, pale blue, grey, blue.
const PALETTE: [u8; 18] = [
    0xff, 0xff, 0xff, // background
    0x94, 0xa3, 0xb8, // bar
    0xdc, 0x26, 0x26, // highlight (today)
    0xdb, 0xea, 0xfe, // baseline band
    0x64, 0x74, 0x8b, // axis
    0x25, 0x63, 0xeb, // line
];

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec<'a> {
    /// One value per day, oldest first; negative values are drawn as zero.
    pub values: &'a [f64],
    /// Draw the last value in the highlight colour (today).
    pub highlight_last: bool,
    /// A horizontal band, in value units, behind the bars (e.g. the
    /// baseline median ± its scale).
    pub band: Option<(f64, f64)>,
    pub width: u32,
    pub height: u32,
}

impl<'a> ChartSpec<'a> {
    pub fn new(values: &'a [f64]) -> Self {
        ChartSpec {
            values,
            highlight_last: true,
            band: None,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }
}

/// An indexed-colour raster.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Canvas {
            width,
            height,
            pixels: vec![Ink::Background as u8; (width * height) as usize],
        }
    }

    fn set(&mut self, x: i64, y: i64, ink: Ink) {
        if x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height {
            self.pixels[(y as u32 * self.width + x as u32) as usize] = ink as u8;
        }
    }

    /// Fills the rectangle [x0, x1) × [y0, y1).
    fn fill(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, ink: Ink) {
        for y in y0.min(self.height)..y1.min(self.height) {
            for x in x0.min(self.width)..x1.min(self.width) {
                self.pixels[(y * self.width + x) as usize] = ink as u8;
            }
        }
    }

    /// A 2-pixel line (Bresenham, doubled downwards).
    fn line(&mut self, (x0, y0): (i64, i64), (x1, y1): (i64, i64), ink: Ink) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.set(x, y, ink);
            self.set(x, y + 1, ink);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_palette(&PALETTE[..]);
            encoder.set_compression(png::Compression::Balanced);
            encoder.set_filter(png::Filter::NoFilter);
            let mut writer = encoder.write_header().expect("writing to a Vec");
            writer
                .write_image_data(&self.pixels)
                .expect("pixel buffer matches the header");
        }
        out
    }
}

/// Maps values to pixel rows: the top of the plot is the largest of the
/// values and the band, plus a little headroom; the bottom is zero.
struct Scale {
    top: f64,
    plot_top: u32,
    plot_bottom: u32,
}

impl Scale {
    fn new(spec: &ChartSpec) -> Self {
        let max = spec
            .values
            .iter()
            .copied()
            .chain(spec.band.map(|b| b.1))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        Scale {
            top: if max > 0.0 { max * 1.1 } else { 1.0 },
            plot_top: PAD,
            plot_bottom: spec.height.saturating_sub(PAD + 1),
        }
    }
    fn y(&self, value: f64) -> u32 {
        let v = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        let span = (self.plot_bottom - self.plot_top) as f64;
        self.plot_bottom - ((v / self.top).min(1.0) * span).round() as u32
    }
}

fn frame(spec: &ChartSpec) -> (Canvas, Scale) {
    let width = spec.width.max(2 * PAD + 2);
    let height = spec.height.max(2 * PAD + 4);
    let spec = ChartSpec {
        width,
        height,
        ..spec.clone()
    };
    let mut canvas = Canvas::new(width, height);
    let scale = Scale::new(&spec);
    if let Some((low, high)) = spec.band {
        let (y_high, y_low) = (scale.y(high), scale.y(low));
        canvas.fill(PAD, y_high, width - PAD, y_low.max(y_high + 1), Ink::Band);
    }
    // The zero line.
    canvas.fill(
        PAD,
        scale.plot_bottom + 1,
        width - PAD,
        scale.plot_bottom + 2,
        Ink::Axis,
    );
    (canvas, scale)
}

/// A bar per value, today's highlighted, the band behind them.
pub fn bar_chart(spec: &ChartSpec) -> Vec<u8> {
    let (mut canvas, scale) = frame(spec);
    let n = spec.values.len() as u32;
    let inner = canvas.width - 2 * PAD;
    if let Some(slot) = inner.checked_div(n) {
        let slot = slot.max(1);
        let gap = if slot >= 4 { 1 } else { 0 };
        // Centre the bars when the slots do not fill the width exactly.
        let left = PAD + (inner - slot * n.min(inner)) / 2;
        for (i, &v) in spec.values.iter().enumerate().take(inner as usize) {
            let x0 = left + i as u32 * slot;
            let y = scale.y(v);
            let ink = if spec.highlight_last && i as u32 == n - 1 {
                Ink::Highlight
            } else {
                Ink::Bar
            };
            // A zero still shows a hairline so the day is visibly there.
            let y = y.min(scale.plot_bottom);
            canvas.fill(x0, y, x0 + slot - gap, scale.plot_bottom + 1, ink);
        }
    }
    canvas.encode()
}

/// A line through the values, today marked with a dot.
pub fn line_chart(spec: &ChartSpec) -> Vec<u8> {
    let (mut canvas, scale) = frame(spec);
    let n = spec.values.len();
    let inner = (canvas.width - 2 * PAD - 4) as f64;
    let x_of = |i: usize| -> i64 {
        if n <= 1 {
            (PAD + 2) as i64 + inner as i64 / 2
        } else {
            (PAD + 2) as i64 + (i as f64 * inner / (n - 1) as f64).round() as i64
        }
    };
    let points: Vec<(i64, i64)> = spec
        .values
        .iter()
        .enumerate()
        .map(|(i, &v)| (x_of(i), scale.y(v) as i64 - 1))
        .collect();
    for pair in points.windows(2) {
        canvas.line(pair[0], pair[1], Ink::Line);
    }
    if let (Some(&(x, y)), true) = (points.last(), spec.highlight_last) {
        for dy in -2..=2 {
            for dx in -2..=2 {
                canvas.set(x + dx, y + dy, Ink::Highlight);
            }
        }
    } else if let [only] = points[..] {
        canvas.set(only.0, only.1, Ink::Line);
    }
    canvas.encode()
}

/// Eighth blocks, lowest to highest.
const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A one-line chart for a terminal: one block per value, scaled from zero
/// (or the smallest value when some are negative) to the largest, so equal
/// heights mean equal values and a row of zeros stays flat. A missing value
/// (NaN) is a space.
pub fn sparkline(values: &[f64]) -> String {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let low = finite.clone().fold(0.0f64, f64::min);
    let high = finite.fold(f64::NEG_INFINITY, f64::max);
    let mut out = String::with_capacity(values.len() * 3);
    for &v in values {
        if !v.is_finite() {
            out.push(' ');
            continue;
        }
        let level = if high > low {
            (((v - low) / (high - low)) * 7.0).round() as usize
        } else {
            0
        };
        let _ = write!(out, "{}", BLOCKS[level.min(7)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        // Keep palette indices, to check which ink is where.
        decoder.set_transformations(png::Transformations::IDENTITY);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info, buf)
    }

    fn thirty_days() -> Vec<f64> {
        (0..30)
            .map(|i| if i == 29 { 60.0 } else { 18.0 + (i % 5) as f64 })
            .collect()
    }

    #[test]
    fn sparkline_scales_from_zero() {
        assert_eq!(
            sparkline(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&[0.0, 0.0, 0.0]), "▁▁▁");
        assert_eq!(sparkline(&[5.0, 5.0]), "██");
        assert_eq!(sparkline(&[1.0, f64::NAN, 2.0]), "▅ █");
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[-1.0, 1.0]), "▁█");
    }

    #[test]
    fn bar_chart_is_a_png_with_today_highlighted_and_the_band_behind() {
        let values = thirty_days();
        let mut spec = ChartSpec::new(&values);
        spec.band = Some((17.0, 23.0));
        let bytes = bar_chart(&spec);
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let (info, pixels) = decode(&bytes);
        assert_eq!((info.width, info.height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));
        assert!(pixels.contains(&(Ink::Highlight as u8)));
        assert!(pixels.contains(&(Ink::Band as u8)));
        assert!(pixels.contains(&(Ink::Bar as u8)));
        // The highlighted bar is the last one: no highlight in the left half.
        let w = info.width as usize;
        assert!(
            pixels
                .chunks(w)
                .all(|row| !row[..w / 2].contains(&(Ink::Highlight as u8)))
        );
        assert!(bytes.len() < 2000, "{} bytes", bytes.len());
    }

    #[test]
    fn charts_are_byte_for_byte_reproducible_and_match_their_golden_files() {
        let values = thirty_days();
        let mut spec = ChartSpec::new(&values);
        spec.band = Some((17.0, 23.0));
        let charts = [
            ("bars.png", bar_chart(&spec)),
            ("line.png", line_chart(&spec)),
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/charts");
        for (name, bytes) in charts {
            assert_eq!(
                bytes,
                if name == "bars.png" {
                    bar_chart(&spec)
                } else {
                    line_chart(&spec)
                }
            );
            let path = dir.join(name);
            if std::env::var_os("KABAR_UPDATE_GOLDEN").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &bytes).unwrap();
            }
            let golden = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run with KABAR_UPDATE_GOLDEN=1 to create)",
                    path.display()
                )
            });
            assert!(golden == bytes, "{name} differs from its golden file");
        }
    }

    #[test]
    fn degenerate_inputs_still_draw() {
        for values in [vec![], vec![0.0], vec![f64::NAN, -3.0], vec![1.0; 1000]] {
            let spec = ChartSpec::new(&values);
            decode(&bar_chart(&spec));
            decode(&line_chart(&spec));
        }
        let tiny = ChartSpec {
            width: 0,
            height: 0,
            ..ChartSpec::new(&[1.0, 2.0])
        };
        decode(&bar_chart(&tiny));
    }
}
