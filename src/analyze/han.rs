//! Which Han characters tell Simplified Chinese, Traditional Chinese and
//! Japanese apart.
//!
//! Most Han characters are written the same in all three, so the text is
//! judged only by the characters whose forms differ. [`SIMPLIFIED`] and
//! [`TRADITIONAL`] are parallel: the n-th character of one is the n-th of the
//! other, frequent news vocabulary first. Characters whose simplified form is
//! also in everyday Traditional use (后/後, 干, 台, 里, 面, 范, 只 ...) are left
//! out, since they say nothing. [`JAPANESE`] holds shinjitai, the forms Japan
//! simplified its own way (広, 売, 図, 駅, 気 ...), and kokuji such as 働 and
//! 込: they let a headline in kanji alone be read as Japanese.

/// Simplified forms, one per Traditional form in [`TRADITIONAL`].
pub const SIMPLIFIED: &[&str] = &[
    "这个们来时为说国会发经过对于进动现业关长门问间东车两还学实开无从见员报话让济网络",
    "监诈骗广银湾规则价应该设计电视际权资产贷么没样书记爱头气钱买卖万与专丰临举义乐习",
    "乡乱亚亿仅众优传伤伦体侦侧侨俭债倾偿储儿兑党兰兴养兽册军农冯冲决况冻净减凤凭击划",
    "刚创删别刘剂剑剧劝办务劳势区医华协单卢卫却厂厅历压厌县参双变叙叶号叹吗启吴听响哑",
    "唤团园围图圆圣场坏块坚坛坝执扩扫扬扰抚抛护拟拥择挂挤挥损换据揽携摄摆撑敌数断旧显",
    "晋晒暂术机杀杂条杨极构枪标栏树桥检楼欢欧残毕汇汉汤沟沪泪泽洁浅测浓润涨渐渔温满滤",
    "滥灭灯灵灾炉点炼热烟烧牵状犹独狭献环玛画畅疗疯盖盘矿码础硕确礼祸离种积称稳穷竞笔",
    "筑简签类粮紧纠红级纪约纳纸线练组细织终绍结绕绘给统继绩绪续维综绿编缘缩罗罚职联聪",
    "肃胜脑脸腾舰艺节苏药获营虑虽补装观览觉誉订认讨训议讯讲许论访证评识诉词译试诗诚询",
    "详误请诸读课谁调谈谢谱贝负贡财责贤败账货质贩贫购贯贴贵费贸贺赋赌赔赖赚赛赞赵赶趋",
    "跃践踪轮软转轻载较辆辈边辽达迁运远违连迟适选递逻遗邓邮邻郑释钟钢钥铁链销锁锅错键",
    "镇闭闯闲闹闻阅队阳阴阵阶陆陈险随隐难雾静韩页顶项顺须顾顿预领频题颜额风飞饭饮馆驱",
    "驶驻验鱼鸟鸡麦黄齐龙龟币师帅帐带帮库废庆异弃张弹归录彻径忆态总恋恶悬惊惧惯愤戏战",
    "户扑抢担拨挡挣捡敛旷宁宝宪宫宽宾寻导寿将尔尘尝层属岁岛峡亲亏亩丽严丧乌乔争伟伪俩",
    "写冈凉处复够夹夺奋奖妇妈娱婴孙诱审虚讼飘纷纯绝绑绳骤鉴锦钓铃钞铺锐锋镜闪闸阔陕隶",
    "鸣鸭龄齿厉厕叠吓吨呛咏哗啸喷嘱垦埚墙壮声壳奂妆妫孪宠寝尧届屿岗岭岳峦巩帜庄庐庙弯",
    "彦徕忧怀怜恳恼悦惩惨惭愿慑懒戋扦扪抟抠抡拢拣拦拧挚挛挝挞挟挠捞捣掴掷掸掺揿搀搁搂",
    "搅摊撵擞斋斩昙昵昼晕暧杠枣枫枭柜栈栋栖档桦桨桩梦椭榄槛横樱橱欤歼殇殴毁毡氢汹沥沦",
    "沧沩泞泻泼泾洒浇浊浏浑浒涛涝涡涣渊渍渗湿溃滚滞滨滩漓潇澜濒灿炖炜烁烂烛烦烩烫焕爷",
    "犊狞狮猎猪猫獭玑玮琐瑶璎瓯畴疖疟疡疮痒痨瘪癞皑皱盏盐盗睁瞒矫砖砚硷碍碱祢祯禀秃秆",
    "稣窃窍窑窜窝窥竖笺笼筛筹箩篮篱粪糁纤纬纲纵纹纺纽绅绊绒绞绢绣绵缆缓缔缕缝缠缴罢罴",
    "羁翘耸耻聂聋肠肤肿胀胆胶脉脏脐脓腻腼膑舆舱艰芜苇苍苹茎茧荐荚荞荡荣荤荧莲莴萤萧萨",
    "蓝蓟蔷蕴蘖虏虫虾蚀蚁蚕蛮蜡蝇蝎衅衔袄袜袭裤觅觊誊讥讪讳讶讹诀诅诊诏诞诣诫诬诲诵诽",
    "谅谊谋谍谎谐谓谗谜谣谦谨谬谭谴豮贞贬贮贱贾贿赁赂赃赊赏赐赠赡赢赣趸跷跸跻踊踌蹑躏",
    "轨轩轰轴轿辉辐输辖辞辩迈逊逦遥邝郦酱酿钉针钙钝钠钩钮钻铅铜铝铭铲铸锄锈锡锣锤锥锻",
    "镀镑镶闰闷闺阀阁阎阐陨雏雳霭靓鞑韦韧顷颁颂颅颇颈颊颓颖颗颠颤飒饥饪饰饱饲饺饼饿馈",
    "馒驰驴驳驹驼驾骂骄骆骇骏骑骚鲁鲜鲸鳄鸦鸽鹅鹤鹰黩鼋齑龚龛",
];

/// Traditional forms, parallel to [`SIMPLIFIED`].
pub const TRADITIONAL: &[&str] = &[
    "這個們來時為說國會發經過對於進動現業關長門問間東車兩還學實開無從見員報話讓濟網絡",
    "監詐騙廣銀灣規則價應該設計電視際權資產貸麼沒樣書記愛頭氣錢買賣萬與專豐臨舉義樂習",
    "鄉亂亞億僅眾優傳傷倫體偵側僑儉債傾償儲兒兌黨蘭興養獸冊軍農馮衝決況凍淨減鳳憑擊劃",
    "剛創刪別劉劑劍劇勸辦務勞勢區醫華協單盧衛卻廠廳歷壓厭縣參雙變敘葉號嘆嗎啟吳聽響啞",
    "喚團園圍圖圓聖場壞塊堅壇壩執擴掃揚擾撫拋護擬擁擇掛擠揮損換據攬攜攝擺撐敵數斷舊顯",
    "晉曬暫術機殺雜條楊極構槍標欄樹橋檢樓歡歐殘畢匯漢湯溝滬淚澤潔淺測濃潤漲漸漁溫滿濾",
    "濫滅燈靈災爐點煉熱煙燒牽狀猶獨狹獻環瑪畫暢療瘋蓋盤礦碼礎碩確禮禍離種積稱穩窮競筆",
    "築簡簽類糧緊糾紅級紀約納紙線練組細織終紹結繞繪給統繼績緒續維綜綠編緣縮羅罰職聯聰",
    "肅勝腦臉騰艦藝節蘇藥獲營慮雖補裝觀覽覺譽訂認討訓議訊講許論訪證評識訴詞譯試詩誠詢",
    "詳誤請諸讀課誰調談謝譜貝負貢財責賢敗賬貨質販貧購貫貼貴費貿賀賦賭賠賴賺賽贊趙趕趨",
    "躍踐蹤輪軟轉輕載較輛輩邊遼達遷運遠違連遲適選遞邏遺鄧郵鄰鄭釋鐘鋼鑰鐵鏈銷鎖鍋錯鍵",
    "鎮閉闖閒鬧聞閱隊陽陰陣階陸陳險隨隱難霧靜韓頁頂項順須顧頓預領頻題顏額風飛飯飲館驅",
    "駛駐驗魚鳥雞麥黃齊龍龜幣師帥帳帶幫庫廢慶異棄張彈歸錄徹徑憶態總戀惡懸驚懼慣憤戲戰",
    "戶撲搶擔撥擋掙撿斂曠寧寶憲宮寬賓尋導壽將爾塵嘗層屬歲島峽親虧畝麗嚴喪烏喬爭偉偽倆",
    "寫岡涼處復夠夾奪奮獎婦媽娛嬰孫誘審虛訟飄紛純絕綁繩驟鑑錦釣鈴鈔鋪銳鋒鏡閃閘闊陝隸",
    "鳴鴨齡齒厲廁疊嚇噸嗆詠嘩嘯噴囑墾堝牆壯聲殼奐妝媯孿寵寢堯屆嶼崗嶺嶽巒鞏幟莊廬廟彎",
    "彥徠憂懷憐懇惱悅懲慘慚願懾懶戔扡捫摶摳掄攏揀攔擰摯攣撾撻挾撓撈搗摑擲撣摻撳攙擱摟",
    "攪攤攆擻齋斬曇暱晝暈曖槓棗楓梟櫃棧棟棲檔樺槳樁夢橢欖檻橫櫻櫥歟殲殤毆毀氈氫洶瀝淪",
    "滄溈濘瀉潑涇灑澆濁瀏渾滸濤澇渦渙淵漬滲濕潰滾滯濱灘灕瀟瀾瀕燦燉煒爍爛燭煩燴燙煥爺",
    "犢獰獅獵豬貓獺璣瑋瑣瑤瓔甌疇癤瘧瘍瘡癢癆癟癩皚皺盞鹽盜睜瞞矯磚硯鹼礙鹼禰禎稟禿稈",
    "穌竊竅窯竄窩窺豎箋籠篩籌籮籃籬糞糝纖緯綱縱紋紡紐紳絆絨絞絹繡綿纜緩締縷縫纏繳罷羆",
    "羈翹聳恥聶聾腸膚腫脹膽膠脈髒臍膿膩靦臏輿艙艱蕪葦蒼蘋莖繭薦莢蕎蕩榮葷熒蓮萵螢蕭薩",
    "藍薊薔蘊櫱虜蟲蝦蝕蟻蠶蠻蠟蠅蠍釁銜襖襪襲褲覓覬謄譏訕諱訝訛訣詛診詔誕詣誡誣誨誦誹",
    "諒誼謀諜謊諧謂讒謎謠謙謹謬譚譴豶貞貶貯賤賈賄賃賂贓賒賞賜贈贍贏贛躉蹺蹕躋踴躊躡躪",
    "軌軒轟軸轎輝輻輸轄辭辯邁遜邐遙鄺酈醬釀釘針鈣鈍鈉鉤鈕鑽鉛銅鋁銘鏟鑄鋤鏽錫鑼錘錐鍛",
    "鍍鎊鑲閏悶閨閥閣閻闡隕雛靂靄靚韃韋韌頃頒頌顱頗頸頰頹穎顆顛顫颯飢飪飾飽飼餃餅餓饋",
    "饅馳驢駁駒駝駕罵驕駱駭駿騎騷魯鮮鯨鱷鴉鴿鵝鶴鷹黷黿齏龔龕",
];

/// Japanese-only forms (shinjitai and kokuji).
pub const JAPANESE: &str = "広売変図団沢駅択単県円帰戦営払拡歳気楽済総検険証発価関経続読転軽鉄銭実対応権様覚観労働込枠伝両従徳悪拠挙斉暦桜歩浜渋満焼猟獣粋絵継緑縄聴脳荘蔵薬訳豊賛雑験黒齢囲弁拝掲摂勧巻剤効帯庁収児圧塩処奨歯戸駆隠騒顔鶏畑峠匂辻栃覧剣縦髪";

/// Which of the three writing systems a Han character belongs to alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HanForm {
    Simplified,
    Traditional,
    Japanese,
}

/// The form `c` belongs to, when only one of the three writes it so.
pub fn han_form(c: char) -> Option<HanForm> {
    // Asked for every Han character of a sample: Fx hashing, not SipHash.
    static TABLE: std::sync::LazyLock<rustc_hash::FxHashMap<char, HanForm>> =
        std::sync::LazyLock::new(|| {
            let mut m = rustc_hash::FxHashMap::default();
            for c in SIMPLIFIED.concat().chars() {
                m.insert(c, HanForm::Simplified);
            }
            for c in TRADITIONAL.concat().chars() {
                m.insert(c, HanForm::Traditional);
            }
            for c in JAPANESE.chars() {
                m.insert(c, HanForm::Japanese);
            }
            m
        });
    TABLE.get(&c).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_parallel_and_disjoint() {
        let s: Vec<char> = SIMPLIFIED.concat().chars().collect();
        let t: Vec<char> = TRADITIONAL.concat().chars().collect();
        assert_eq!(s.len(), t.len());
        for (a, b) in s.iter().zip(&t) {
            assert_ne!(a, b);
            assert!(!t.contains(a), "{a} is in both tables");
            assert!(!s.contains(b), "{b} is in both tables");
            assert!(!JAPANESE.contains(*a) && !JAPANESE.contains(*b));
        }
    }

    #[test]
    fn forms_are_told_apart() {
        assert_eq!(han_form('广'), Some(HanForm::Simplified));
        assert_eq!(han_form('廣'), Some(HanForm::Traditional));
        assert_eq!(han_form('広'), Some(HanForm::Japanese));
        assert_eq!(han_form('的'), None);
    }
}
