//! The linear model and its file format.
//!
//! A model is a bias per class and a hashed weight table of `2^bits` rows
//! by `classes` columns, quantised to `i8` with one scale per model (a
//! quarter of the `f32` size; the loss in accuracy is below a tenth of a
//! point on dev). A file holds a JSON header (what it was trained on, for
//! provenance) and one model per language group:
//!
//! ```text
//! "KBSENT01" | u32 header_len | header JSON | u32 num_models |
//!   per model: u8 name_len | name | u8 classes | u8 bits | f32 scale |
//!              f32 × classes bias | i8 × (2^bits × classes) weights
//! ```
//!
//! Little-endian throughout; written in a fixed order, so the same training
//! run gives the same bytes.

use super::features::Feature;

pub const MAGIC: &[u8; 8] = b"KBSENT01";

#[derive(Debug, Clone)]
pub struct LinearModel {
    pub group: String,
    /// 3: negative, neutral, positive. 2: negative, positive.
    pub classes: usize,
    pub bits: u8,
    pub scale: f32,
    pub bias: Vec<f32>,
    pub weights: Vec<i8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("not a kabar sentiment model (bad magic)")]
    Magic,
    #[error("model file truncated at byte {0}")]
    Truncated(usize),
    #[error("model file: {0}")]
    Bad(String),
}

impl LinearModel {
    pub fn mask(&self) -> u32 {
        (1u32 << self.bits) - 1
    }

    /// Class probabilities for the features.
    pub fn predict(&self, feats: &[Feature], out: &mut [f32; 3]) {
        let k = self.classes;
        let mut acc = [0f32; 3];
        // The row width as a constant for the common three-class models: one
        // bounds check and no inner loop per feature. Each class still sums
        // its products in feature order, so the result is bit for bit the
        // same as the general loop.
        if k == 3 {
            for &(row, v) in feats {
                let base = row as usize * 3;
                let w: &[i8; 3] = self.weights[base..base + 3]
                    .try_into()
                    .expect("three weights");
                acc[0] += v * f32::from(w[0]);
                acc[1] += v * f32::from(w[1]);
                acc[2] += v * f32::from(w[2]);
            }
        } else {
            for &(row, v) in feats {
                let base = row as usize * k;
                for (a, &w) in acc.iter_mut().zip(&self.weights[base..base + k]) {
                    *a += v * f32::from(w);
                }
            }
        }
        let mut max = f32::MIN;
        for (a, b) in acc.iter_mut().zip(&self.bias) {
            *a = *a * self.scale + b;
            max = max.max(*a);
        }
        let mut sum = 0.0;
        for a in acc.iter_mut().take(k) {
            *a = (*a - max).exp();
            sum += *a;
        }
        for (o, a) in out.iter_mut().zip(acc).take(k) {
            *o = a / sum;
        }
        for o in out.iter_mut().skip(k) {
            *o = 0.0;
        }
    }

    /// Quantises trained `f32` weights: the scale maps the largest weight to
    /// 127, so nothing is clipped.
    pub fn quantise(
        group: &str,
        classes: usize,
        bits: u8,
        bias: Vec<f32>,
        w: &[f32],
    ) -> LinearModel {
        let max = w.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let weights = w
            .iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        LinearModel {
            group: group.to_string(),
            classes,
            bits,
            scale,
            bias,
            weights,
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.weights.len() + self.bias.len() * 4 + self.group.len()
    }
}

pub fn write(header: &str, models: &[LinearModel]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&(models.len() as u32).to_le_bytes());
    for m in models {
        out.push(m.group.len() as u8);
        out.extend_from_slice(m.group.as_bytes());
        out.push(m.classes as u8);
        out.push(m.bits);
        out.extend_from_slice(&m.scale.to_le_bytes());
        for b in &m.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        out.extend(m.weights.iter().map(|&w| w as u8));
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelFileError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(ModelFileError::Truncated(self.pos))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, ModelFileError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, ModelFileError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, ModelFileError> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
}

/// Reads a model file: its header JSON and models.
pub fn read(bytes: &[u8]) -> Result<(String, Vec<LinearModel>), ModelFileError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8).map_err(|_| ModelFileError::Magic)? != MAGIC {
        return Err(ModelFileError::Magic);
    }
    let n = r.u32()? as usize;
    let header =
        String::from_utf8(r.take(n)?.to_vec()).map_err(|e| ModelFileError::Bad(e.to_string()))?;
    let num = r.u32()? as usize;
    let mut models = Vec::with_capacity(num);
    for _ in 0..num {
        let n = r.u8()? as usize;
        let group = String::from_utf8(r.take(n)?.to_vec())
            .map_err(|e| ModelFileError::Bad(e.to_string()))?;
        let classes = r.u8()? as usize;
        let bits = r.u8()?;
        if !(2..=3).contains(&classes) || !(8..=24).contains(&bits) {
            return Err(ModelFileError::Bad(format!(
                "{group}: {classes} classes, {bits} bits"
            )));
        }
        let scale = r.f32()?;
        let bias = (0..classes)
            .map(|_| r.f32())
            .collect::<Result<Vec<_>, _>>()?;
        let weights = r
            .take((1usize << bits) * classes)?
            .iter()
            .map(|&b| b as i8)
            .collect();
        models.push(LinearModel {
            group,
            classes,
            bits,
            scale,
            bias,
            weights,
        });
    }
    if r.pos != bytes.len() {
        return Err(ModelFileError::Bad(format!(
            "{} trailing bytes",
            bytes.len() - r.pos
        )));
    }
    Ok((header, models))
}
