//! Language codes the catalog accepts and kabar's first-class languages.

/// Languages kabar treats with full care: detection, tokenization, topics
/// and sentiment all work for them.
pub const FIRST_CLASS: &[&str] = &[
    "en", "id", "ms", "th", "vi", "tl", "my", "km", "ja", "ko", "zh-Hans", "zh-Hant", "hi", "bn",
    "ur", "ta",
];

/// All ISO 639-1 codes.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co \
cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr \
ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg \
li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi \
pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl \
tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// True when `code` is an ISO 639-1 code or one of the Chinese script tags.
/// Plain `zh` is refused in the catalog: kabar needs to know the script.
pub fn is_known(code: &str) -> bool {
    code == "zh-Hans"
        || code == "zh-Hant"
        || (code != "zh" && ISO_639_1.split(' ').any(|c| c == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_class_languages_are_known() {
        for code in FIRST_CLASS {
            assert!(is_known(code), "{code}");
        }
        assert!(!is_known("zh"));
        assert!(!is_known("xx"));
        assert!(!is_known("EN"));
    }
}
