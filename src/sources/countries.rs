//! ISO 3166-1 alpha-2 country codes and the region each one belongs to.
//!
//! The catalog names a country per source and kabar derives the region from
//! it, so a source can never sit in the wrong region by a typo.

use crate::model::Region;

/// Every officially assigned ISO 3166-1 alpha-2 code, plus `XK` (Kosovo),
/// which news outlets use although ISO has not assigned it.
const ALL_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL \
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM \
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC \
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE \
NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD \
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA \
UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

const SEA: &[&str] = &[
    "BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN",
];
const NEA: &[&str] = &["CN", "HK", "MO", "TW", "JP", "KR", "KP", "MN"];
const SA: &[&str] = &["AF", "BD", "BT", "IN", "MV", "NP", "PK", "LK"];

/// True when `code` (uppercase) is a known country code.
pub fn is_known(code: &str) -> bool {
    code.len() == 2 && ALL_CODES.split(' ').any(|c| c == code)
}

/// The region of a known country code; everything outside Asia's three
/// regions is `global`.
pub fn region_of(code: &str) -> Region {
    if SEA.contains(&code) {
        Region::Sea
    } else if NEA.contains(&code) {
        Region::Nea
    } else if SA.contains(&code) {
        Region::Sa
    } else {
        Region::Global
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_list_is_sorted_unique_and_complete() {
        let codes: Vec<&str> = ALL_CODES.split(' ').collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be sorted and unique");
        // 249 assigned codes plus XK.
        assert_eq!(codes.len(), 250);
        assert!(codes.iter().all(|c| c.len() == 2));
    }

    #[test]
    fn regions_follow_from_country() {
        assert_eq!(region_of("ID"), Region::Sea);
        assert_eq!(region_of("TW"), Region::Nea);
        assert_eq!(region_of("BD"), Region::Sa);
        assert_eq!(region_of("GB"), Region::Global);
        for code in SEA.iter().chain(NEA).chain(SA) {
            assert!(is_known(code), "{code} must be a known code");
        }
        assert!(!is_known("XX"));
        assert!(!is_known("id"));
    }
}
