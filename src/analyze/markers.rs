//! Function words that tell close languages apart where the statistical
//! detectors are weak: Malay from Indonesian, Tagalog in English-mixed
//! (Taglish) text, romanised Hindi (Hinglish), and Hindi from Marathi and
//! Nepali. Each list holds short, frequent words that one side uses and the
//! other does not, so a handful of them in a text is strong evidence.

/// Malaysian Malay spellings and words Indonesian does not use (or uses
/// rarely): bahawa/bahwa, kerana/karena, wang/uang, syarikat/perusahaan ...
pub const MALAY: &[&str] = &[
    "bahawa",
    "kerana",
    "wang",
    "syarikat",
    "kerajaan",
    "sahaja",
    "mahu",
    "iaitu",
    "selepas",
    "semasa",
    "manakala",
    "bagaimanapun",
    "daripada",
    "kenyataan",
    "ialah",
    "baharu",
    "percuma",
    "ringgit",
    "jabatan",
    "mengikut",
    "sebarang",
    "ramai",
    "pelbagai",
    "memaklumkan",
    "dimaklumkan",
    "talian",
    "berkuasa",
    "boleh",
    "kereta",
    "telefon",
    "bimbit",
    "menerusi",
    "amaran",
    "bekalan",
    "perbadanan",
    "cukai",
    "khidmat",
    "perkhidmatan",
    "peniaga",
    "kedai",
    "kilang",
    "pejabat",
    "polis",
    "hospital",
    "universiti",
    "maklumat",
    "kenderaan",
    "kempen",
    "pelaburan",
    "projek",
    "kualiti",
    "aktiviti",
    "komuniti",
    "akaun",
    "awak",
    "nak",
    "macam",
    "sebab",
    "lah",
    "je",
    "kat",
    "dah",
    "camne",
    "betul",
    "sedap",
    "duit",
    "kakitangan",
    "pengarah",
    "pelancongan",
    "kanak-kanak",
    "laman",
    "sesawang",
];

/// Indonesian words and spellings Malay does not use (or uses rarely),
/// including the colloquial particles of Indonesian social media.
pub const INDONESIAN: &[&str] = &[
    "bahwa",
    "karena",
    "uang",
    "perusahaan",
    "pemerintah",
    "saja",
    "mau",
    "yaitu",
    "setelah",
    "sedangkan",
    "namun",
    "pernyataan",
    "gratis",
    "rupiah",
    "kantor",
    "apapun",
    "berbagai",
    "menyampaikan",
    "disampaikan",
    "daring",
    "berwenang",
    "bisa",
    "mobil",
    "ponsel",
    "peringatan",
    "pasokan",
    "pajak",
    "layanan",
    "pelayanan",
    "pedagang",
    "toko",
    "pabrik",
    "polisi",
    "informasi",
    "kendaraan",
    "kampanye",
    "investasi",
    "proyek",
    "kualitas",
    "aktivitas",
    "komunitas",
    "akun",
    "kalian",
    "nggak",
    "gak",
    "enggak",
    "banget",
    "aja",
    "sih",
    "dong",
    "kok",
    "udah",
    "bilang",
    "deh",
    "nih",
    "tuh",
    "yuk",
    "bikin",
    "kayak",
    "emang",
    "kalo",
    "gue",
    "gua",
    "buat",
    "sama",
    "ngga",
    "engga",
    "lumayan",
    "enak",
    "gimana",
];

/// Function words Malay and Indonesian share: they say "one of the two"
/// and leave the choice to the lists above.
pub const MALAY_FAMILY: &[&str] = &[
    "yang", "dan", "di", "ini", "itu", "dengan", "untuk", "tidak", "ada", "nya", "saya", "akan",
    "dari", "ke", "juga", "sudah", "dalam", "pada", "kepada", "atau", "jika", "kalau", "karena",
    "kerana", "sangat", "lebih", "harga", "tempat", "makanan", "enak", "bisa", "boleh", "telah",
    "mereka", "kita", "kami", "oleh", "sebagai", "bagi", "masih", "hanya", "lagi", "semua",
];

/// English function words: code-mixed and informal English that trigram
/// statistics mistake for French or Dutch still uses these.
pub const ENGLISH: &[&str] = &[
    "the", "and", "of", "to", "is", "it", "it's", "that", "was", "for", "with", "he", "she", "you",
    "i", "i'm", "not", "be", "on", "at", "by", "this", "have", "has", "are", "were", "from", "his",
    "her", "they", "we", "an", "or", "my", "your", "said", "so", "what", "about", "would", "there",
    "will", "can", "been", "had", "do", "does", "did", "don't", "just", "if", "when", "who",
    "which", "their", "them", "our", "me", "him", "all", "no", "out", "up", "some", "its", "than",
    "then", "too", "very", "into", "after", "before", "because", "how", "why", "where", "get",
    "got", "like", "good", "new", "one", "two", "more", "most", "much", "many", "any", "only",
    "also", "over", "such", "these", "those", "here", "now", "should", "could", "must", "a", "as",
    "but", "in",
];

/// Persian function words that Urdu does not use.
pub const PERSIAN: &[&str] = &[
    "است",
    "را",
    "این",
    "برای",
    "شده",
    "های",
    "یک",
    "می",
    "بود",
    "شد",
    "کرد",
    "خود",
    "آن",
    "ما",
    "هم",
    "بر",
    "تا",
    "نیز",
    "دارد",
    "کند",
    "شود",
    "باید",
    "اند",
    "ایران",
];

/// Tagalog function words; English has none of them.
pub const TAGALOG: &[&str] = &[
    "ang", "ng", "mga", "sa", "ay", "na", "si", "ni", "kay", "ito", "iyon", "hindi", "po", "naman",
    "lang", "yung", "'yung", "ung", "kasi", "talaga", "ba", "din", "rin", "ko", "mo", "niya",
    "nila", "namin", "natin", "tayo", "sila", "siya", "ako", "ikaw", "ka", "pero", "kung", "dahil",
    "may", "mayroon", "wala", "ngayon", "sobra", "grabe", "sana", "nang", "nga", "daw", "raw",
    "lahat", "bakit", "ano", "sino", "saan", "kayo", "nyo", "ninyo", "yan", "yun", "dito", "doon",
    "diyan", "pag", "kapag", "tapos", "pa", "lamang", "ating", "aming", "nito", "niyo", "sya",
    "nya", "ganun", "ganito", "parang", "ayaw", "gusto", "salamat", "opo", "kaya", "kahit",
    "habang", "bilang", "upang", "para", "pang", "isang", "dalawang",
];

/// Romanised Hindi (Hinglish) words that English, Malay, Indonesian and
/// Tagalog do not share.
pub const HINGLISH: &[&str] = &[
    "hai", "hain", "nahi", "nahin", "nhi", "kya", "kyu", "kyun", "kyon", "mein", "aur", "bhi",
    "yeh", "woh", "tha", "thi", "raha", "rahe", "rahi", "hota", "hoti", "hoga", "kuch", "bahut",
    "bohot", "accha", "acha", "achha", "bhai", "yaar", "toh", "liye", "abhi", "apna", "apne",
    "mera", "meri", "mere", "tum", "tumhe", "aap", "hum", "humein", "karo", "karna", "kiya",
    "gaya", "ki", "wala", "wale", "sabhi", "phir", "fir", "koi", "kaun", "kab", "kaise", "kaisa",
    "dekho", "ji", "bilkul", "sirf", "lekin", "magar", "hu", "hoon", "kr", "h", "ye", "wo", "jo",
    "ho", "ne", "ka", "se", "pe", "par", "sab", "ab", "jab", "tab", "bas", "chahiye", "karte",
    "karta", "kar", "diya", "gayi", "gaye", "hua", "hui", "hue", "unka", "unki", "uska", "uski",
    "iska", "iski", "mujhe", "tujhe", "hume", "sath", "saath", "log", "logo", "logon", "desh",
];

/// Hindi function words (Devanagari).
pub const HINDI: &[&str] = &[
    "है",
    "हैं",
    "था",
    "थे",
    "थी",
    "के",
    "का",
    "की",
    "में",
    "और",
    "से",
    "को",
    "नहीं",
    "भी",
    "यह",
    "वह",
    "लिए",
    "कहा",
    "गया",
    "किया",
    "रहा",
    "रहे",
    "होगा",
    "जाएगा",
    "एवं",
    "तथा",
    "द्वारा",
    "कि",
    "पर",
    "इस",
    "उस",
    "ने",
];

/// Marathi function words and case endings (Devanagari).
pub const MARATHI: &[&str] = &[
    "आहे",
    "आहेत",
    "आणि",
    "व",
    "मध्ये",
    "होते",
    "होता",
    "केले",
    "नाही",
    "तर",
    "हे",
    "त्यांनी",
    "असे",
    "सांगितले",
    "करण्यात",
    "आली",
    "आला",
    "येथे",
    "यांनी",
    "याबाबत",
    "म्हणून",
    "पण",
    "केली",
    "झाली",
    "झाले",
    "करून",
];

/// Nepali function words (Devanagari).
pub const NEPALI: &[&str] = &[
    "छ",
    "छन्",
    "हो",
    "र",
    "पनि",
    "यो",
    "त्यो",
    "थियो",
    "छैन",
    "हुन्छ",
    "गरे",
    "भने",
    "गरेको",
    "भएको",
    "गर्न",
    "गरेका",
    "भएका",
    "लागि",
    "गर्ने",
    "हुने",
    "गरेर",
    "बताए",
    "जनाए",
    "रहेको",
];

/// Words of `text`, lowercased, split on anything that is not a letter or
/// an apostrophe.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c.is_mark()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

trait IsMark {
    fn is_mark(&self) -> bool;
}

impl IsMark for char {
    /// Combining marks of the Brahmic scripts (vowel signs, virama): they
    /// belong inside a word.
    fn is_mark(&self) -> bool {
        matches!(*self as u32, 0x0900..=0x0DFF | 0x200C | 0x200D) && !self.is_whitespace()
    }
}

/// How many of `words` appear in `list`. Lists are short and words few, so
/// a scan beats hashing; words longer than any listed word are skipped.
pub fn count_in(words: &[String], list: &[&str]) -> usize {
    words
        .iter()
        .filter(|w| w.len() <= 24 && list.contains(&w.as_str()))
        .count()
}

/// Function words of French, Spanish, Portuguese, Italian, German and
/// Dutch that English, Malay, Indonesian, Tagalog and romanised Hindi do
/// not use (so "de", "la", "para", "di", "dan", "je" are left out): a text
/// made of them leaves kabar's Latin model for whatlang.
pub const EUROPEAN: &[&str] = &[
    // French
    "les", "des", "est", "une", "pour", "qui", "que", "dans", "sur", "avec", "sont", "mais",
    "cette", "nous", "vous", "ils", "elle", "aux", "été", "très", "être", "leur", "sans", "ont",
    "fait", "où", "ça", "c'est", "l'on", "d'un", "d'une", "qu'il", // Spanish
    "el", "los", "las", "del", "por", "es", "con", "muy", "más", "está", "su", "sus", "también",
    "fue", "ser", "esta", "este", "eso", "porque", "sobre", "entre", "cuando", "tiene", "hasta",
    "desde", "según", "año", "años", // Portuguese
    "não", "uma", "os", "mais", "ele", "ela", "foi", "são", "pelo", "pela", "seu", "sua", "muito",
    "também", "isso", "quando", "já", "ainda", "você", "até", // Italian
    "il", "che", "della", "dei", "delle", "sono", "gli", "anche", "questo", "questa", "è", "nel",
    "nella", "alla", "più", "molto", "degli", "essere", "perché", // German
    "und", "ist", "nicht", "ein", "eine", "mit", "sich", "auf", "für", "dem", "auch", "zu", "von",
    "wir", "sie", "ich", "nach", "wird", "bei", "oder", "aber", "wie", "noch", "über", "werden",
    "wurde", "sind", "einen", "einer", "haben", "können", // Dutch
    "het", "een", "niet", "zijn", "voor", "ook", "maar", "wordt", "deze", "bij", "naar", "heeft",
    "worden", "nog", "wel", "zo", "ik", "geen", "hun", "hebben",
];

/// Vietnamese syllables written without diacritics (as in some informal
/// text and URLs) that are not words of kabar's other Latin languages.
pub const VIETNAMESE_PLAIN: &[&str] = &[
    "khong", "nguoi", "duoc", "cua", "nhung", "trong", "mot", "cac", "voi", "nay", "nhieu", "ngay",
    "viet", "theo", "nhu", "khi", "tren", "duoi", "rat", "chung", "thi", "cung", "dang", "hon",
    "neu", "vao", "nuoc", "nhat", "tien", "phai", "nhan", "thanh", "truoc", "nguoi", "cong", "ty",
    "ngan", "biet", "muon", "minh", "chi", "cho", "nhe", "qua",
];
