"""Heuristics for the names the gazetteer lacks: people, companies and products in context."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .. import segment

_CJK = "\u4e00-\u9fff"
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安"
    "齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛"
    "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚"
    "皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦"
    "戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信"
    "展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "司徒",
    "长孙",
    "夏侯",
)
# Words that begin with a surname's character but are not names.
NOT_NAMES = set(
    "官方 方面 公司 高管 高层 市场 金额 钱包 周期 周年 王者 马上 任何 安全 常务 于是 余下 关于 成本 成为 向来 文件 江湖 "
    "高盛 高通 万家 黄金 周末 时间 时代 时候 明年 明天 平台 全球 全部 国内 国外 国家 云端 和他 和她 都是 来自 原因 华人 "
    "华为 应该 应用 项目 连续 司机 包括 简单 车企 车型 金融 钟表 海外 海内 强调 利润 龙头 信息 信心 杨树 石油 段落 毛利 "
    "谷歌 宁德 苏州 胡同 严格 严重 丁点 施工 朱雀 郭氏 经理 孙子 魏家 邓氏 申请 张口 贾氏 高速 高端 高效 高校 高度 万亿 "
    "陈述 陆续 冯氏 程序 康复 齐全 乔迁 常规 温度 景气 党委 宫殿 卫星 全面 全新 查询 封装 谈判 乐观 燕郊 楚天 都市 普通 "
    "战略 慕课 危机 公开 利用 利好 居然 干货 但是 信号 展示 智能 幸运 富有 明确 平均 和平 国产 容易 来源 花费 权益 强大 "
    "支持 计划 相关 初创 门槛 索取 宣传 晋升 雍正 羊城 母公司 危险 修改 赫兹 湛江 宾客 杭州 况且 那些 宿舍 鲜少 印度 "
    "隆重 诸多 战胜 路线 游戏 辛苦 管理 蒙古 包装 解决 解释 牟利 艾滋 阳光 时期 司法 卓越 古老 吉利 简化 连接 车辆 "
    "麦当 项目 景区 费用 冷静 席位 卫生 米饭 柏林 宗旨 桂林 全体 应对 闵行 边界 姬氏 师傅 仇恨 商业 商汤 沙特 荣耀 "
    "巫师 桑基 郎朗 仲裁 虞城 敖包 明星 池塘 麻烦 迟到 官员 谈到 匡算 鞠躬 惠普 荆州 乐视 冀州 郁闷 南京 班级 原来 "
    "栗子 燕子 楚国 劳动 皮肤 区域 海量 权力 屠宰 豆包 练习 廉价 禹州 井冈 祖国 巴西 丰富 国际 来看 来说 敬请 晁盖 "
    "都有 普及 戈壁 伏羲 鹿晗 邸报 危机 银行 玉米 利益 居民 信任 展开 智谱 富士 尧山 计算 和谐 和解 向量".split()
)
TITLES = (
    "联合创始人|创始人|首席执行官|首席科学家|首席技术官|首席运营官|首席财务官|首席产品官|首席AI官|"
    "CEO|CTO|COO|CFO|CSO|总裁|董事长|总经理|负责人|掌门人|科学家|教授|研究员|院士|合伙人|"
    "副总裁|主席|董事|工程师|院长|所长|主任|部长|总监|分析师|创办人|总理|总统|副总理|省长|市长|"
    "投资人|发言人|创业者|首席战略官"
)
VERBS = "表示|称|指出|透露|认为|坦言|介绍|说道|强调|回应|直言|预测|宣布|发文|发帖|提到|补充|解释|感叹|说|谈到|提出|呼吁"
LATIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z'’-]+){1,2}")
_LATIN_PERSON = re.compile(rf"(?P<b>[A-Z][a-z]+(?: [A-Z][a-z'’-]+){{1,2}}) ?(?:{VERBS})")
_DOTTED_PERSON = re.compile(rf"(?P<name>[{_CJK}]{{1,6}}[·•][{_CJK}]{{1,8}})")
TITLE_RE = re.compile(TITLES)
DOTTED_TAIL_STOP = re.compile("[的和与在将对于等是也还曾已及并以从向被把让]")
VERB_RE = re.compile(VERBS)
VERB_PREFIX = re.compile("(?:也|还|则|曾|已|此前|近日|日前|公开)$")
ADVERB_ENDS = "也还则曾已前日开\n"  # the last characters of VERB_PREFIX (`$` before a newline)
PERSON_CONTEXT = re.compile(rf"(?:{TITLES}|{VERBS})")
# The end of a Chinese name: a character that starts what follows it.
_NAME_STOP = set(
    "表称指透认坦介说强回直预宣发提补解感谈呼也还则曾已在的和与及等将于被对向从就是为了这那其亦均都乃并又近日此"
)

ORG_SUFFIXES = (
    "科技|智能|机器人|半导体|资本|创投|投资|基金|集团|证券|汽车|医疗|实验室|研究院|大学|银行|控股|网络|"
    "软件|数据|动力|电子|微电子|光电|智造|智行|智联|生物|新材|能源|联盟|组织|协会|委员会|证监局|证监会"
)
ORG_SUFFIX_RE = re.compile(ORG_SUFFIXES)
_NAME_RUN = re.compile(rf"[{_CJK}A-Za-z]{{2,8}}$")
# (`(?<!\w.)` after the first letter is a `\b` before it: a pattern that starts with a
# character class is scanned for by the regex engine, one with `\b` tried everywhere.)
ORG_LATIN = re.compile(
    r"(?P<name>[A-Z](?<!\w.)[A-Za-z0-9&]+(?:\s[A-Z][A-Za-z0-9&]+){0,2}\s"
    r"(?:AI|Labs?|Lab|Inc\.?|Technologies|Robotics|Intelligence|Capital|Ventures|Partners|Dynamics))\b"
)
ORG_CONTEXT = re.compile(
    "公司|企业|创业|初创|旗下|融资|领投|跟投|估值|投资|收购|成立|上市|IPO|获得|宣布|发布|推出|团队|联合创始|创始人"
)
GENERIC_ORGS = set(
    "人工智能 具身智能 空间智能 通用智能 超级智能 群体智能 机器智能 端侧智能 商业智能 数据智能 人工智 生成式人工智能 "
    "人形机器人 工业机器人 服务机器人 扫地机器人 智能机器人 具身机器人 家庭机器人 陪伴机器人 四足机器人 双足机器人 "
    "信息科技 高科技 黑科技 硬科技 前沿科技 金融科技 数字科技 科技 智能汽车 新能源汽车 电动汽车 传统汽车 国产汽车 "
    "风险资本 私人资本 社会资本 国有资本 全球资本 国际资本 产业资本 美元资本 人民币资本 国家实验室 重点实验室 "
    "大数据 小数据 训练数据 合成数据 数据 网络 神经网络 互联网络 软件 开源软件 操作系统软件 半导体 功率半导体 "
    "新能源 清洁能源 研究院 大学 银行 央行 投资银行 商业银行 集团 控股 证券 医疗 电子 消费电子 汽车电子 光电 生物 新材".split()
)
ORG_PREFIX_NOISE = set(
    "的与和及由向对在被将从为是了获等如像据称和其该此这那于以把让给跟同及或并又也还更最已当"
)
ORG_NOISE_WORDS = set(
    "公司 旗下 头部 私营 财务 领投 跟投 联合 携手 宣布 完成 获得 包括 以及 其中 母公司 子公司 股东 "
    "投资方 知名 国内 国际 全球 美国 中国 海外 本土 多家 一家 这家 该 新 老牌 明星 独角兽 创业 初创 "
    "当 今年 去年 此前 近日 日前 目前 已经 成为 作为 通过 旗舰 上市 科创板 港股 美股 A股".split()
)

# Latin names end where Latin ends: `\b` would not separate them from Chinese.
_L, _R = r"(?<![A-Za-z0-9.\-])", r"(?![A-Za-z0-9\-]|\.\d)"
_VERSION_WORDS = (
    "Pro|Max|Ultra|Mini|mini|nano|Nano|Flash|Turbo|Plus|Air|Thinking|Instruct|Lite|SuperPoD"
)
PRODUCT_HYPHEN = re.compile(
    _L + r"(?P<name>[A-Za-z][A-Za-z0-9]*(?:[.\-][A-Za-z0-9]+)*-[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*"
    rf"(?: (?:{_VERSION_WORDS}))?)" + _R
)
PRODUCT_VERSION = re.compile(
    _L
    + r"(?P<name>[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)? (?:V?\d+(?:\.\d+)*[A-Za-z]{0,2}|[A-Z]\d+[A-Za-z]?)"
    rf"(?: (?:{_VERSION_WORDS}))?)" + _R
)
PRODUCT_GLUED = re.compile(_L + r"(?P<name>[A-Z][a-z]{2,}\d+(?:\.\d+)?[A-Za-z]?)" + _R)
CHIP = re.compile(_L + r"(?P<name>[A-Z]{1,3}\d{2,4}[A-Z]{0,2}(?: [A-Z]{2,4}\d{2,3})?)" + _R)
NOT_AFTER_VERSION = set(
    "亿万元年月日个款台家名位倍号次项款部辆颗张块层代人天小时分秒届期轮季度股岁"
)
# A Chinese product name and its version: 昇腾950PR, 文心5.0, 曦云C500, 远征A2 (two
# Chinese characters before it; not a number of something: 文心5亿, 增长10%).
PRODUCT_CJK = re.compile(
    # (the lookbehind after the first character: the scan then skips to letters and digits)
    r"(?P<version>[A-Z\d](?<=[\u4e00-\u9fff][\u4e00-\u9fff].)\d*(?:\.\d+)?[A-Z]{0,3})"
    rf"(?![A-Za-z0-9.%{''.join(sorted(NOT_AFTER_VERSION))}])"
)
# Latin names are looked for only in the stretches of ASCII text that hold a letter
# (Chinese news has few): each found from its first character, in one pass. (The
# pattern starts with a character class, not a lookbehind, so that the regex engine
# scans for it: twice as fast. The run holds a letter: its first, or a later one.)
LATIN_RUN = re.compile(
    r"[\x20-\x7e](?<![\x20-\x7e].)"
    r"(?:(?<=[A-Za-z])|[\x20-\x40\x5b-\x60\x7b-\x7e]*+[A-Za-z])[\x20-\x7e]*+"
)
# Every product pattern needs a digit or a hyphen: `OpenAI`, `CEO` need no scanning.
DIGIT_OR_HYPHEN = re.compile("[0-9-]")
CHIP_CONTEXT = re.compile(
    "芯片|GPU|显卡|加速卡|算力|处理器|服务器|晶圆|制程|英伟达|NVIDIA|AMD|昇腾"
)
NOT_PRODUCTS = {
    w.lower()
    for w in (
        "COVID-19 MMLU MMLU-Pro MMLU-Redux GAIA SWE-bench SWE-Bench HumanEval AIME GPQA HLE MMMU C-Eval CMMLU "
        "ARC-AGI ARC-AGI-2 LiveCodeBench BrowseComp Terminal-Bench MATH-500 GSM8K Chatbot-Arena "
        "A-share B-share PM2.5 To-B To-C B2B B2C P2P K-12 T-shirt Wi-Fi X-ray U-ViT FP8 UE8M0 "
        "Q1 Q2 Q3 Q4 H1 H2 G20 G7 5G 4G 3C Top Series Round Phase Level Stage Class Tier Day Year "
        "WAIC CES GTC MWC WWDC Computex NeurIPS ICML CVPR ICLR AAAI IJCAI IROS ACL EMNLP Build "
        "Ignite Summit Conference Expo Forum Vol No Page Chapter Section Part Model Figure"
    ).split()
}
YEAR = re.compile(r"^(?:19|20)\d\d$")


def dotted_names(text: str) -> Iterator[re.Match[str]]:
    """The matches of _DOTTED_PERSON (`安德鲁·费尔德曼`), found from the dots.

    The pattern alone tries every character as a name's start (0.1 ms an article);
    a match holds a dot, so only the six characters before each dot can start one.
    """
    dots = sorted(i for dot in "·•" for i in _positions(text, dot))
    end = 0
    for dot in dots:
        if dot < end:
            continue  # inside the last match, as finditer would have it
        for start in range(max(end, dot - 6), dot):
            m = _DOTTED_PERSON.match(text, start)
            if m:
                yield m
                end = m.end()
                break


def latin_people(text: str, verbs: list[re.Match[str]]) -> list[str]:
    """The names of the matches of _LATIN_PERSON (`Sam Altman表示`), found from the verbs.

    The pattern alone tries every capital letter (0.02 ms an article); a match ends
    with a verb, after a stretch of letters, spaces, hyphens and apostrophes only.
    """
    names = []
    for verb in verbs:
        start = verb.start()
        while start and text[start - 1] in _LATIN_NAME_CHARS:
            start -= 1
        if start < verb.start():
            m = _LATIN_PERSON.search(text, start, verb.end())
            if m:
                names.append(m["b"])
    return names


_LATIN_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'’- ")


def _positions(text: str, char: str) -> Iterator[int]:
    at = text.find(char)
    while at >= 0:
        yield at
        at = text.find(char, at + 1)


def count_in(text: str, name: str) -> int:
    """Mentions of `name`: a Latin end must not run on into Latin (not after a letter,
    digit, `.` or `-`; not before a letter, digit, `-` or `.` and a digit). Found with
    str.find: a pattern compiled per name cost a quarter of finding new names."""
    left, right = name[0].isascii(), name[-1].isascii()
    if not (left or right):
        return text.count(name)
    count, start, size = 0, 0, len(name)
    while (at := text.find(name, start)) >= 0:
        end = at + size
        if (left and at > 0 and text[at - 1] in _LATIN_BEFORE) or (
            right
            and end < len(text)
            and (
                text[end] in _LATIN_AFTER
                or (text[end] == "." and end + 1 < len(text) and text[end + 1].isdecimal())
            )
        ):
            start = at + 1
            continue
        count += 1
        start = end
    return count


_LATIN_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_LATIN_BEFORE = _LATIN_AFTER | {"."}


def latin_boundaries(text: str, start: int, end: int, alias: str) -> bool:
    """A Latin name must not continue into a Latin word on either side (Intel ≠ Intelligence)."""
    if alias[0].isascii() and alias[0].isalnum() and start > 0:
        before = text[start - 1]
        if before.isascii() and (before.isalnum() or before in "-_"):
            return False
    if alias[-1].isascii() and alias[-1].isalnum() and end < len(text):
        after = text[end]
        if after.isascii() and (after.isalnum() or after in "_"):
            return False
        if (
            after == "-"
            and end + 1 < len(text)
            and text[end + 1].isascii()
            and text[end + 1].isalnum()
        ):
            return False  # `Kimi` in `Kimi-K2`: a product of its own
    return True


def case_sensitive(alias: str) -> bool:
    """Short all-capital aliases (AMD, AWS, SAP) match only in capitals."""
    return alias.isascii() and alias.isupper() and len(alias) <= 4


COMPANY_TAIL = re.compile("集团|控股|公司|股份|科技(?!园|股)")
AMBIGUOUS = {"联想": "到起力", "有道": "理", "星火": "燎", "元宝": "", "苹果": "汁派树园"}


def plausible_cjk(text: str, start: int, end: int, alias: str) -> bool:
    """A few two-character names are also ordinary words (联想到, 有道理)."""
    following = AMBIGUOUS.get(alias)
    if following is None:
        return True
    return not (end < len(text) and text[end] in following)


# The helpers below that judge a word (most with jieba's tagger) are cached where the
# same word comes back across articles: they are pure (same string, same answer, an
# immutable one). Over the 1,214 distinct articles of the benchmark corpus, 45-65% of
# their calls were repeats (17% for _trim_org); the helpers that read a name off the
# text around a title or verb repeat 6-8% and are not cached.
_CACHE_SIZE = 16384


def _is_surname_start(name: str) -> int:
    """Length of the surname at the start of `name` (0 if none)."""
    if name[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if name[:1] in SURNAMES else 0


def name_after_title(following: str) -> str | None:
    """The name that starts `following` (the text after 创始人, CEO…)."""
    surname = _is_surname_start(following)
    if not surname:
        return None
    words = [w for w, _ in segment.tag(following)]
    name = ""
    for index, word in enumerate(words):
        if not name and not word.startswith(following[:surname]):
            return None
        if name and (word[0] in _NAME_STOP or len(name) >= 3):
            break
        name += word
        if len(name) >= 2:
            # `王长|虎|指出`: one more character before a verb still belongs to the name
            rest = words[index + 1 :]
            if (
                len(name) == 2
                and len(rest) >= 2
                and len(rest[0]) == 1
                and rest[0] not in _NAME_STOP
            ):
                name += rest[0]
            break
    if len(name) == surname + 2 and name[-1] in _NAME_STOP:
        name = name[:-1]  # `谭待称`: jieba glued the verb on
    if not 2 <= len(name) <= surname + 2 or not all("\u4e00" <= c <= "\u9fff" for c in name):
        return None
    return name if _looks_like_name(name) else None


def name_before_verb(preceding: str) -> str | None:
    """The name that ends `preceding` (the text before 表示, 称…)."""
    words = [w for w, _ in segment.tag(preceding)]
    name = ""
    for word in reversed(words):
        if not all("\u4e00" <= c <= "\u9fff" for c in word):
            break
        if len(name) + len(word) > 3 and (word + name)[:2] not in COMPOUND_SURNAMES:
            break
        name = word + name
        if len(name) >= 2 and _is_surname_start(name) and (len(name) == 3 or len(word) >= 2):
            break
    if len(name) < 2 or not _is_surname_start(name):
        name = preceding[-2:] if _is_surname_start(preceding[-2:]) else ""
    if not name or name[0] in _NAME_STOP:
        return None
    return name if _looks_like_name(name) else None


@lru_cache(maxsize=_CACHE_SIZE)
def _looks_like_name(name: str) -> bool:
    """Not a common word that starts with a surname's character (官方, 高管, 方面)."""
    if name in NOT_NAMES or name[:2] in NOT_NAMES:
        return False
    tags = segment.tag(name)
    if len(tags) == 1:
        return tags[0][1].startswith("nr") or not segment.is_dictionary_word(name)
    return not any(
        len(w) >= 2
        and segment.is_dictionary_word(w)
        and not t.startswith("nr")
        and t not in ("ns", "nz")
        for w, t in tags
    )


def word_at(text: str, start: int, end: int) -> bool:
    """Whether jieba cuts `text[start:end]` as a word of its own (not 机器|人R1)."""
    window_start = max(0, start - 4)
    position = window_start
    bounds = {position}
    for word, _ in segment.tag(text[window_start : end + 4]):
        position += len(word)
        bounds.add(position)
    return start in bounds and end in bounds


@lru_cache(maxsize=_CACHE_SIZE)
def looks_like_brand(word: str) -> bool:
    """Two characters that could name a product (曦云, 远征): one word for jieba, and a
    name-like one (a proper noun, an abbreviation) or one its dictionary does not know."""
    tags = segment.tag(word)
    if len(tags) != 1:
        return False
    flag = tags[0][1]
    return (flag[:1] in ("n", "j", "x") and flag != "n") or not segment.is_dictionary_word(word)


_GENERIC_TAGS = ("n", "vn", "v", "a", "b", "d", "m", "q", "s", "f", "t", "an", "ad", "l", "i", "ns")


MONEY_SUFFIXES = ("投资", "基金", "资本", "创投")
LIST_FOLLOWERS = set("和与及、,;:()等领跟参联共\n") | {""}


@lru_cache(maxsize=_CACHE_SIZE)
def generic_word(prefix: str, places: bool) -> bool:
    """`战略`, `产业` (and for funds `硅谷`): a common word before the suffix makes no company."""
    tags = segment.tag(prefix)
    last_word, last_tag = tags[-1]
    generic = set(_GENERIC_TAGS) - (set() if places else {"ns"})
    if len(tags) == 1:
        return last_tag in generic and segment.is_dictionary_word(prefix)
    # `二级市场`: only dictionary words, the last one generic
    return all(segment.is_dictionary_word(w) for w, _ in tags) and last_tag in generic


_NUMERALS = set("一二三四五六七八九十百千万两几数多众各每某该")
_GENERIC_LATIN = {
    "ai",
    "it",
    "ip",
    "app",
    "web",
    "ceo",
    "cto",
    "gpu",
    "agi",
    "aigc",
    "saas",
    "sdk",
    "api",
}


_GENERIC_TAILS = {g for g in GENERIC_ORGS if len(g) >= 4}
_GENERIC_TAIL_LENGTHS = sorted({len(g) for g in _GENERIC_TAILS})


@lru_cache(maxsize=_CACHE_SIZE)
def generic_org(name: str) -> bool:
    """`人工智能`, `北京市人工智能`, `AI智能`, `七大科技`: a field or a count, not a company."""
    if name in GENERIC_ORGS or any(name[-n:] in _GENERIC_TAILS for n in _GENERIC_TAIL_LENGTHS):
        return True
    if name[0] in _NUMERALS:
        return True
    latin = re.match(r"[A-Za-z]+", name)
    return bool(latin and latin.group().lower() in _GENERIC_LATIN)


def org_prefix(before: str) -> str | None:
    """What of the (up to 8) characters before a company suffix is the company's name."""
    run = _NAME_RUN.search(before)
    return None if run is None else _trim_org(run.group())


@lru_cache(maxsize=_CACHE_SIZE)
def _trim_org(prefix: str) -> str:
    """Drop what precedes a company name (`投资`, `由`, `旗下`) from the front of `prefix`."""
    kept: list[str] = []
    for word, flag in reversed(segment.tag(prefix)):
        if (
            flag[:1] in ("v", "p", "c", "u", "d", "r", "m", "q", "f", "t")
            or word in ORG_NOISE_WORDS
        ):
            break
        if word in ORG_PREFIX_NOISE or not all(
            "\u4e00" <= c <= "\u9fff" or c.isalnum() for c in word
        ):
            break
        kept.insert(0, word)
        if sum(len(w) for w in kept) >= 4:
            break
    prefix = "".join(kept)
    while len(prefix) > 2 and prefix[0] in ORG_PREFIX_NOISE:  # `由鼎晖`: jieba kept 由 on
        prefix = prefix[1:]
    return prefix
