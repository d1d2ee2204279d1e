"""Entities: a curated gazetteer with aliases, patterns for names it lacks, and money.

Extraction works on an article's raw text:

- gazetteer names and aliases, found with an Aho-Corasick automaton, longest match
  first; a Latin name only on word boundaries (`Intel` not in `Intelligence`), short
  all-capital aliases (`AMD`) only in capitals;
- names the gazetteer lacks, from patterns with context: model and product names
  (`GPT-5`, `DeepSeek-V3.2-Exp`, `Llama 4`, chip numbers like `H20` next to chip
  words), company shapes (`…科技`, `…智能`, `… AI`, `… Inc.`) next to company words,
  people after a title (创始人, CEO…) or before a speech verb (表示, 称…), their
  surname and jieba's tags deciding where the name ends;
- amounts of money (`20亿美元`, `1.25亿美元`, `21.95亿元`, ranges, `数十亿美元`),
  normalised to a value and an ISO currency.

The gazetteer ships with neican (store/data/gazetteer.toml); the user's copy in the
config directory, made on first use, wins.
"""

from __future__ import annotations

import bisect
import itertools
import re
import shutil
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick_rs

from . import paths, segment
from .errors import NeicanError

TYPES = ("org", "person", "product", "money", "media")
GAZETTEER_TYPES = ("org", "person", "product", "media")

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Entry:
    """One gazetteer entity."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Found:
    """An entity found in one article."""

    name: str
    type: str
    count: int = 0
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    value: float | None = None
    high: float | None = None
    unit: str | None = None
    source: str = "gazetteer"
    surfaces: set[str] = field(default_factory=set)


# -- the gazetteer ----------------------------------------------------------------------


def bundled_gazetteer() -> Path:
    return Path(str(resources.files("store") / "data" / "gazetteer.toml"))


def user_gazetteer() -> Path:
    """The user's gazetteer, copied from the bundled one on first use."""
    path = paths.config_dir() / "gazetteer.toml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundled_gazetteer(), path)
    return path


def _fold(text: str) -> str:
    """ASCII lower-case with offsets unchanged (str.lower is 10x faster; rarely it changes length)."""
    low = text.lower()
    return (
        low
        if len(low) == len(text) and low.isascii() == text.isascii()
        else text.translate(_ASCII_LOWER)
    )


def gazetteer_fingerprint(path: Path | None = None) -> str:
    """A short hash of the gazetteer in use: when it changes, entities need re-extracting."""
    import hashlib

    return hashlib.sha1((path or user_gazetteer()).read_bytes()).hexdigest()[:16]


class Gazetteer:
    def __init__(self, entries: list[Entry], fingerprint: str = "") -> None:
        self.entries: dict[str, Entry] = {}
        self.fingerprint = fingerprint
        self._by_alias: dict[str, Entry] = {}
        for entry in entries:
            self.entries.setdefault(entry.name, entry)
        for entry in self.entries.values():
            for alias in entry.names:
                self._by_alias.setdefault(alias.translate(_ASCII_LOWER), entry)

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        import hashlib

        path = path or user_gazetteer()
        try:
            raw = path.read_bytes()
            data = tomllib.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise NeicanError(f"{path}: not a valid gazetteer: {e}") from None
        entries = []
        for number, item in enumerate(data.get("entity", []), 1):
            name, kind = item.get("name"), item.get("type")
            if not isinstance(name, str) or not name.strip() or kind not in GAZETTEER_TYPES:
                raise NeicanError(
                    f"{path}: entity #{number} needs a name and a type ({', '.join(GAZETTEER_TYPES)})"
                )
            aliases = tuple(a for a in item.get("aliases", []) if isinstance(a, str) and a.strip())
            entries.append(Entry(name.strip(), kind, aliases, item.get("parent")))
        return cls(entries, hashlib.sha1(raw).hexdigest()[:16])

    def lookup(self, name: str) -> Entry | None:
        """An entity by its name or any alias (Latin case-insensitively)."""
        key = name.strip()
        return self._by_alias.get(key.lower() if key.isascii() else key.translate(_ASCII_LOWER))

    def children(self, name: str) -> list[Entry]:
        """Entities whose parent (or parent's parent…) is `name`."""
        out, todo = [], [name]
        while todo:
            current = todo.pop()
            for entry in self.entries.values():
                if entry.parent == current and entry not in out:
                    out.append(entry)
                    todo.append(entry.name)
        return out


def add_entry(
    name: str, kind: str, aliases: list[str], parent: str | None = None
) -> tuple[Path, bool]:
    """Add an entity to the user's gazetteer, or aliases to an existing one; keeps comments."""
    import tomlkit

    if kind not in GAZETTEER_TYPES:
        raise NeicanError(f"unknown type {kind!r}: one of {', '.join(GAZETTEER_TYPES)}")
    path = user_gazetteer()
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    entities = document.setdefault("entity", tomlkit.aot())
    for item in entities:
        if item.get("name") == name:
            if item.get("type") != kind:
                raise NeicanError(f"{name} is already in the gazetteer as a {item.get('type')}")
            known = list(item.get("aliases", []))
            item["aliases"] = known + [a for a in aliases if a not in known and a != name]
            created = False
            break
    else:
        table = tomlkit.table()
        table["name"] = name
        table["type"] = kind
        table["aliases"] = [a for a in dict.fromkeys(aliases) if a != name]
        if parent:
            table["parent"] = parent
        entities.append(table)
        created = True
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path, created


# -- money ------------------------------------------------------------------------------

_NUM = r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?"
_MULT = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)"
_CUR = r"(?:美元|美金|元人民币|人民币|港元|港币|欧元|日元|英镑|韩元|新台币|元(?!宇宙|素|年|旦|月|代|老|件|器|数据|气|首|帅))"
MONEY = re.compile(
    r"(?=[\d数几上近$])"
    rf"(?:(?P<lo>{_NUM})(?P<lomult>{_MULT})?\s?(?:至|到|~|～|-|—)\s?(?P<hi>{_NUM})(?P<himult>{_MULT})?(?P<cur>{_CUR})"
    rf"|(?P<num>{_NUM})\s?(?P<mult>{_MULT})?(?P<cur2>{_CUR})"
    rf"|(?P<vague>(?:数|几|上|近)(?:十|百|千)?(?:万亿|亿|万)|(?:数|几|上)(?:十|百|千)万?)(?P<cur3>{_CUR})"
    r"|\$\s?(?P<usd>\d+(?:,\d{3})*(?:\.\d+)?)\s?(?P<usdmult>trillion|billion|million|bn|mn)?\b)"
)
# Every amount ends in a currency or starts with `$`, and each currency holds one of
# these (most articles hold none); before its currency an amount holds only
# _AMOUNT_CHAR: digits, separators, multipliers, 数几上近.
_CURRENCY_MARKERS = ("元", "币", "美金", "英镑", "$")
_AMOUNT_CHAR = re.compile(r"[\d\s,.至到~～\-—万亿千百十数几上近]")
_MULTIPLIERS = {
    None: 1,
    "": 1,
    "千": 10**3,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
    "十亿": 10**9,
    "百亿": 10**10,
    "千亿": 10**11,
    "万亿": 10**12,
    "million": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
_CURRENCIES = {
    "美元": "USD",
    "美金": "USD",
    "元": "CNY",
    "人民币": "CNY",
    "元人民币": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "韩元": "KRW",
    "新台币": "TWD",
}
_UNIT_NAMES = {
    "USD": "美元",
    "CNY": "元",
    "HKD": "港元",
    "EUR": "欧元",
    "JPY": "日元",
    "GBP": "英镑",
    "KRW": "韩元",
    "TWD": "新台币",
}


def _amount(number: str, mult: str | None) -> Decimal:
    return Decimal(number.replace(",", "")) * _MULTIPLIERS[mult]


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_name(value: Decimal, currency: str, unit: bool = True) -> str:
    """`2000000000, USD` → `20亿美元`: how Chinese text writes the amount."""
    for size, word in ((Decimal(10**12), "万亿"), (Decimal(10**8), "亿"), (Decimal(10**4), "万")):
        if value >= size:
            text = _plain(value / size) + word
            break
    else:
        text = _plain(value)
    return text + (_UNIT_NAMES[currency] if unit else "")


def find_money(text: str) -> list[Found]:
    """Amounts of money in a text, one Found per distinct amount (count = mentions)."""
    found: dict[str, Found] = {}
    # MONEY is tried at every position (0.1 ms an article), so only from where the first
    # amount could start: the characters of an amount before the first currency.
    first = min((at for at in map(text.find, _CURRENCY_MARKERS) if at >= 0), default=-1)
    if first < 0:
        return []
    start = max(0, first - 2)  # (a currency's marker is at most two characters in)
    while start and _AMOUNT_CHAR.match(text, start - 1):
        start -= 1
    for m in MONEY.finditer(text, start):
        value: Decimal | None
        high: Decimal | None = None
        if m["lo"]:
            currency = _CURRENCIES[m["cur"]]
            lomult = m["lomult"] or m["himult"]  # `1000亿至1400亿` and `20至200美元`
            value, high = _amount(m["lo"], lomult), _amount(m["hi"], m["himult"])
            if high <= value:
                continue
            name = f"{money_name(value, currency, False)}至{money_name(high, currency)}"
            surface = m.group()
        elif m["num"]:
            currency = _CURRENCIES[m["cur2"]]
            value = _amount(m["num"], m["mult"])
            if value == 0:
                continue
            name = money_name(value, currency)
            surface = m.group()
        elif m["vague"]:
            currency = _CURRENCIES[m["cur3"]]
            value = None
            name = surface = m.group()
        else:
            currency = "USD"
            value = _amount(m["usd"], (m["usdmult"] or "").lower() or None)
            name = money_name(value, currency)
            surface = m.group().strip()
        item = found.get(name)
        if item is None:
            item = found[name] = Found(
                name,
                "money",
                0,
                aliases=(f"{_plain(value)} {currency}",)
                if value is not None and high is None
                else (),
                value=float(value) if value is not None else None,
                high=float(high) if high is not None else None,
                unit=currency,
                source="money",
            )
        item.count += 1
        item.surfaces.add(surface)
    return list(found.values())


# -- patterns for names the gazetteer lacks ----------------------------------------------

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
_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z'’-]+){1,2}")
_LATIN_PERSON = re.compile(rf"(?P<b>[A-Z][a-z]+(?: [A-Z][a-z'’-]+){{1,2}}) ?(?:{VERBS})")
_DOTTED_PERSON = re.compile(rf"(?P<name>[{_CJK}]{{1,6}}[·•][{_CJK}]{{1,8}})")
_TITLE_RE = re.compile(TITLES)
_DOTTED_TAIL_STOP = re.compile("[的和与在将对于等是也还曾已及并以从向被把让]")
_VERB_RE = re.compile(VERBS)
_VERB_PREFIX = re.compile("(?:也|还|则|曾|已|此前|近日|日前|公开)$")
_ADVERB_ENDS = "也还则曾已前日开\n"  # the last characters of _VERB_PREFIX (`$` before a newline)
_PERSON_CONTEXT = re.compile(rf"(?:{TITLES}|{VERBS})")
# The end of a Chinese name: a character that starts what follows it.
_NAME_STOP = set(
    "表称指透认坦介说强回直预宣发提补解感谈呼也还则曾已在的和与及等将于被对向从就是为了这那其亦均都乃并又近日此"
)

ORG_SUFFIXES = (
    "科技|智能|机器人|半导体|资本|创投|投资|基金|集团|证券|汽车|医疗|实验室|研究院|大学|银行|控股|网络|"
    "软件|数据|动力|电子|微电子|光电|智造|智行|智联|生物|新材|能源|联盟|组织|协会|委员会|证监局|证监会"
)
_ORG_SUFFIX_RE = re.compile(ORG_SUFFIXES)
_NAME_RUN = re.compile(rf"[{_CJK}A-Za-z]{{2,8}}$")
# (`(?<!\w.)` after the first letter is a `\b` before it: a pattern that starts with a
# character class is scanned for by the regex engine, one with `\b` tried everywhere.)
_ORG_LATIN = re.compile(
    r"(?P<name>[A-Z](?<!\w.)[A-Za-z0-9&]+(?:\s[A-Z][A-Za-z0-9&]+){0,2}\s"
    r"(?:AI|Labs?|Lab|Inc\.?|Technologies|Robotics|Intelligence|Capital|Ventures|Partners|Dynamics))\b"
)
_ORG_CONTEXT = re.compile(
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
_PRODUCT_HYPHEN = re.compile(
    _L + r"(?P<name>[A-Za-z][A-Za-z0-9]*(?:[.\-][A-Za-z0-9]+)*-[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*"
    rf"(?: (?:{_VERSION_WORDS}))?)" + _R
)
_PRODUCT_VERSION = re.compile(
    _L
    + r"(?P<name>[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)? (?:V?\d+(?:\.\d+)*[A-Za-z]{0,2}|[A-Z]\d+[A-Za-z]?)"
    rf"(?: (?:{_VERSION_WORDS}))?)" + _R
)
_PRODUCT_GLUED = re.compile(_L + r"(?P<name>[A-Z][a-z]{2,}\d+(?:\.\d+)?[A-Za-z]?)" + _R)
_CHIP = re.compile(_L + r"(?P<name>[A-Z]{1,3}\d{2,4}[A-Z]{0,2}(?: [A-Z]{2,4}\d{2,3})?)" + _R)
_NOT_AFTER_VERSION = set(
    "亿万元年月日个款台家名位倍号次项款部辆颗张块层代人天小时分秒届期轮季度股岁"
)
# A Chinese product name and its version: 昇腾950PR, 文心5.0, 曦云C500, 远征A2 (two
# Chinese characters before it; not a number of something: 文心5亿, 增长10%).
_PRODUCT_CJK = re.compile(
    # (the lookbehind after the first character: the scan then skips to letters and digits)
    r"(?P<version>[A-Z\d](?<=[\u4e00-\u9fff][\u4e00-\u9fff].)\d*(?:\.\d+)?[A-Z]{0,3})"
    rf"(?![A-Za-z0-9.%{''.join(sorted(_NOT_AFTER_VERSION))}])"
)
# Latin names are looked for only in the stretches of ASCII text that hold a letter
# (Chinese news has few): each found from its first character, in one pass. (The
# pattern starts with a character class, not a lookbehind, so that the regex engine
# scans for it: twice as fast. The run holds a letter: its first, or a later one.)
_LATIN_RUN = re.compile(
    r"[\x20-\x7e](?<![\x20-\x7e].)"
    r"(?:(?<=[A-Za-z])|[\x20-\x40\x5b-\x60\x7b-\x7e]*+[A-Za-z])[\x20-\x7e]*+"
)
# Every product pattern needs a digit or a hyphen: `OpenAI`, `CEO` need no scanning.
_DIGIT_OR_HYPHEN = re.compile("[0-9-]")
_CHIP_CONTEXT = re.compile(
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
_YEAR = re.compile(r"^(?:19|20)\d\d$")


class Extractor:
    """Finds entities in article text with a gazetteer, patterns and money rules."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        keys: list[str] = []
        self._payloads: list[tuple[str, str, tuple[bool, bool], bool, bool, bool]] = []
        seen: set[str] = set()
        for entry in gazetteer.entries.values():
            for alias in entry.names:
                key = alias.translate(_ASCII_LOWER)
                if key in seen:
                    continue
                seen.add(key)
                keys.append(key)
                # what the per-match checks need, worked out once per alias
                latin = (
                    alias[0].isascii() and alias[0].isalnum(),
                    alias[-1].isascii() and alias[-1].isalnum(),
                )
                self._payloads.append(
                    (
                        alias,
                        entry.name,
                        latin,
                        _case_sensitive(alias),
                        alias in _AMBIGUOUS,
                        entry.type == "org",
                    )
                )
        # Aho-Corasick in Rust: every alias found in one pass, longest match first.
        self._matcher = (
            ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
            if keys
            else None
        )

    def extract(self, title: str, lines: list[str], outlets: tuple[str, ...] = ()) -> list[Found]:
        text = "\n".join([title, *lines])
        found: dict[tuple[str, str], Found] = {}

        def add(item: Found) -> None:
            key = (item.type, item.name)
            if key in found:
                found[key].count += item.count
                found[key].surfaces |= item.surfaces
            else:
                found[key] = item

        versions = self._versioned_products(text)
        claimed = self._gazetteer(text, add, [span for span, _ in versions])
        for outlet in outlets:
            entry = self.gazetteer.lookup(outlet)
            if entry is None or entry.type == "media":
                name = entry.name if entry else outlet
                if ("media", name) not in found:
                    add(
                        Found(
                            name,
                            "media",
                            1,
                            entry.aliases if entry else (),
                            source="outlet",
                            surfaces={outlet},
                        )
                    )
        for item in find_money(text):
            add(item)
        for item in self._new_names(text, claimed, versions):
            add(item)
        return [f for f in found.values() if f.count > 0]

    # gazetteer ----------------------------------------------------------------------

    def _gazetteer(
        self, text: str, add: Any, versions: list[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        """Add gazetteer matches; return the spans they cover.

        A name inside a longer versioned product name (`Vidu` in `Vidu Q2`, `昇腾` in
        `昇腾950PR`) is that product's, not a mention of its own.
        """
        if self._matcher is None:
            return []
        folded = _fold(text)
        spans = []
        counts: Counter[str] = Counter()
        surfaces: dict[str, set[str]] = {}
        payloads = self._payloads
        for index, start, stop in self._matcher.find_matches_as_indexes(folded):
            alias, name, latin, case, ambiguous, org = payloads[index]
            if (latin[0] or latin[1]) and not _latin_boundaries(text, start, stop, alias):
                continue
            if case and text[start:stop] != alias:
                continue
            if ambiguous and not _plausible_cjk(text, start, stop, alias):
                continue
            if versions and any(
                a <= start and stop <= b and (a, b) != (start, stop) for a, b in versions
            ):
                continue
            if org:
                suffix = _COMPANY_TAIL.match(text, stop)
                if suffix:  # 百度集团, 英伟达公司: the same company
                    stop = suffix.end()
            counts[name] += 1
            surfaces.setdefault(name, set()).add(text[start:stop])
            spans.append((start, stop))
        for name, count in counts.items():
            entry = self.gazetteer.entries[name]
            add(
                Found(
                    entry.name,
                    entry.type,
                    count,
                    entry.aliases,
                    entry.parent,
                    surfaces=surfaces[name],
                )
            )
        return spans

    # names the gazetteer lacks -----------------------------------------------------------

    def _versioned_products(self, text: str) -> list[tuple[tuple[int, int], str]]:
        """Product names with a version (`GPT-5 mini`, `Llama 4`, `H20`, `昇腾950PR`), with spans."""
        known = self.gazetteer.lookup
        out: list[tuple[tuple[int, int], str]] = []
        # (made at the first run with a digit or a hyphen: most articles have none, and
        # then need no _CHIP_CONTEXT search)
        patterns: list[re.Pattern[str]] | None = None
        for run in _LATIN_RUN.finditer(text):
            offset, run_end = run.span()
            if not _DIGIT_OR_HYPHEN.search(text, offset, run_end):
                continue
            chunk = text[offset:run_end]
            if patterns is None:
                patterns = [_PRODUCT_HYPHEN, _PRODUCT_VERSION, _PRODUCT_GLUED]
                if _CHIP_CONTEXT.search(text):
                    patterns.append(_CHIP)
            for pattern in patterns:
                if pattern is _PRODUCT_HYPHEN and "-" not in chunk:
                    continue
                for m in pattern.finditer(chunk):
                    name = m["name"]
                    words = name.replace("-", " ").split()
                    if name.lower() in NOT_PRODUCTS or words[0].lower() in NOT_PRODUCTS:
                        continue
                    if pattern is _PRODUCT_VERSION and _YEAR.match(words[-1]):
                        continue  # `WAIC 2025`: an event and its year
                    if (
                        pattern is _PRODUCT_HYPHEN
                        and not any(c.isdigit() for c in name)
                        and not name.isupper()
                    ):
                        continue  # `Kimi-Researcher`-like names need a version; `WALL-OSS` is fine
                    end = offset + m.end("name")
                    after = text[end : end + 1]
                    if name[-1].isdigit() and (after in _NOT_AFTER_VERSION or after == "%"):
                        continue  # `Scale AI 49%股份`, `AI 12亿`: a number, not a version
                    out.append(((offset + m.start("name"), end), name))
        for m in _PRODUCT_CJK.finditer(text):
            version = m["version"]
            if version.isalpha():
                continue  # no digit, no version
            begin = m.start()
            brand = text[begin - 2 : begin]
            entry = known(brand)
            lettered = version[0].isalpha() or version[-1].isalpha()  # (R1, 950PR)
            if entry is not None and entry.type == "org":
                if lettered:  # 宇树R1: the product is R1, made by the company 宇树
                    out.append(((begin, m.end()), version))
            elif entry is not None and entry.type == "product":
                out.append(((begin - 2, m.end()), brand + version))
            elif (lettered or "." in version) and _word_at(text, begin - 2, begin):
                if _looks_like_brand(brand):
                    out.append(((begin - 2, m.end()), brand + version))
        # the longest of overlapping names; a gazetteer name that is not a product drops out
        out.sort(key=lambda item: (item[0][0], -(item[0][1] - item[0][0])))
        kept: list[tuple[tuple[int, int], str]] = []
        for span, name in out:
            if kept and span[0] < kept[-1][0][1]:
                continue
            entry = known(name)
            if entry is None or entry.type == "product":
                kept.append((span, name))
        return kept

    def _new_names(
        self, text: str, claimed: list[tuple[int, int]], versions: list[tuple[tuple[int, int], str]]
    ) -> list[Found]:
        # Whether [start, end) overlaps no claimed span: the spans starting before `end`
        # are a prefix of them sorted; one of them reaches past `start` if the furthest does.
        spans = sorted(claimed)
        starts = [a for a, _ in spans]
        reach = list(itertools.accumulate((b for _, b in spans), max))

        def free(start: int, end: int) -> bool:
            i = bisect.bisect_left(starts, end) - 1
            return i < 0 or reach[i] <= start

        known = self.gazetteer.lookup
        candidates: dict[tuple[str, str], str] = {}
        # products with versions (a gazetteer product's own name stays the gazetteer's)
        for (start, end), name in versions:
            if not known(name) and free(start, end):
                candidates[("product", name)] = "pattern"
        # people
        # (anchored on the title or verb, then the name read off beside it: a regex that
        # tried every position as a possible name start was the slowest part of imports)
        titles = list(_TITLE_RE.finditer(text))  # (used again for Latin names below)
        for m in titles:
            start = m.end()
            if text.startswith("兼", start):  # 创始人兼CEO王小川: the name follows the last title
                nxt = _TITLE_RE.search(text, start, start + 12)
                if nxt is None:
                    continue
                start = nxt.end()
            while start < len(text) and text[start] == " ":
                start += 1
            if start >= len(text) or not "\u4e00" <= text[start] <= "\u9fff":
                continue
            found_name = _name_after_title(text[start : start + 6])
            if found_name is None:
                continue
            name = found_name
            if text[start + len(name) : start + len(name) + 1] in ("·", "•"):
                continue  # 安德鲁·费尔德曼: a transliterated name, read whole below
            if name and free(start, start + len(name)) and not known(name):
                candidates[("person", name)] = "pattern"
        verbs = list(_VERB_RE.finditer(text))  # (used again for Latin names below)
        for m in verbs:
            end = m.start()
            # (the pattern only where an adverb could end: seldom)
            if end and text[end - 1] in _ADVERB_ENDS:
                adverb = _VERB_PREFIX.search(text, max(0, end - 2), end)
                if adverb:  # 张鹏此前表示
                    end = adverb.start()
            if end < 2 or not "\u4e00" <= text[end - 1] <= "\u9fff":
                continue
            if text[end - 2] not in SURNAMES and (end < 3 or text[end - 3] not in SURNAMES):
                continue  # no surname where a name would start: no name here
            before = _name_before_verb(text[max(0, end - 6) : end])
            if before is None:
                continue
            name = before
            if (
                "·" in text[max(0, end - len(name) - 4) : end]
                or "•" in text[max(0, end - len(name) - 4) : end]
            ):
                continue  # the end of a transliterated name (布莱恩·切斯基)
            if name and free(end - len(name), end) and not known(name):
                candidates[("person", name)] = "pattern"
        latin_names = _latin_people(text, verbs)
        for m in titles:  # CEO Sam Altman
            after = _LATIN_NAME.match(text, m.end() + (text[m.end() : m.end() + 1] == " "))
            if after:
                latin_names.append(after.group())
        for name in latin_names:
            if not known(name) and name.split()[0].lower() not in NOT_PRODUCTS:
                candidates[("person", name)] = "pattern"
        for m in _dotted_names(text):
            head, dot, tail = (
                m["name"].partition("·") if "·" in m["name"] else m["name"].partition("•")
            )
            titles = list(_TITLE_RE.finditer(head))
            if titles:  # `项目负责人米兰·科瓦奇`: the name starts after the title
                head = head[titles[-1].end() :]
            verb = _VERB_RE.search(tail)
            if verb:  # `费尔德曼表示公司…`: the name ends before the verb
                tail = tail[: verb.start()]
            tail = _DOTTED_TAIL_STOP.split(tail, maxsplit=1)[0]
            if not tail:
                continue
            name = head + dot + tail
            around = text[max(0, m.start() - 8) : m.end() + 8]
            if (
                head
                and _PERSON_CONTEXT.search(around)
                and free(m.end() - len(name), m.end())
                and not known(name)
            ):
                candidates[("person", name)] = "pattern"
        # organisations
        for m in _ORG_SUFFIX_RE.finditer(text):
            prefix = _org_prefix(text[max(0, m.start() - 8) : m.start()])
            if prefix is None:
                continue
            suffix = m.group()
            name = prefix + suffix
            start = m.end() - len(name)
            if len(prefix) < 2 or not free(start, m.end()) or _generic_org(name):
                continue
            if suffix in _MONEY_SUFFIXES:
                # 鼎晖投资和…: a fund's name in a list, not `诺基亚投资10亿美元` (a verb)
                if (
                    _generic_word(prefix, places=True)
                    or text[m.end() : m.end() + 1] not in _LIST_FOLLOWERS
                ):
                    continue
            elif _generic_word(prefix, places=False):
                continue
            around = text[max(0, start - 12) : m.end() + 12]
            if (text.count(name) > 1 or _ORG_CONTEXT.search(around)) and not known(name):
                candidates[("org", name)] = "pattern"
        for m in _ORG_LATIN.finditer(text):
            name = m["name"].rstrip(".")
            if (
                free(m.start(), m.end())
                and not known(name)
                and name.split()[0].lower() not in NOT_PRODUCTS
            ):
                candidates[("org", name)] = "pattern"
        out = []
        for (kind, name), source in candidates.items():
            count = _count(text, name)
            if count:
                out.append(Found(name, kind, count, source=source, surfaces={name}))
        return out


def _dotted_names(text: str) -> Iterator[re.Match[str]]:
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


def _latin_people(text: str, verbs: list[re.Match[str]]) -> list[str]:
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


def _count(text: str, name: str) -> int:
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


def _latin_boundaries(text: str, start: int, end: int, alias: str) -> bool:
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


def _case_sensitive(alias: str) -> bool:
    """Short all-capital aliases (AMD, AWS, SAP) match only in capitals."""
    return alias.isascii() and alias.isupper() and len(alias) <= 4


_COMPANY_TAIL = re.compile("集团|控股|公司|股份|科技(?!园|股)")
_AMBIGUOUS = {"联想": "到起力", "有道": "理", "星火": "燎", "元宝": "", "苹果": "汁派树园"}


def _plausible_cjk(text: str, start: int, end: int, alias: str) -> bool:
    """A few two-character names are also ordinary words (联想到, 有道理)."""
    following = _AMBIGUOUS.get(alias)
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


def _name_after_title(following: str) -> str | None:
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


def _name_before_verb(preceding: str) -> str | None:
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


def _word_at(text: str, start: int, end: int) -> bool:
    """Whether jieba cuts `text[start:end]` as a word of its own (not 机器|人R1)."""
    window_start = max(0, start - 4)
    position = window_start
    bounds = {position}
    for word, _ in segment.tag(text[window_start : end + 4]):
        position += len(word)
        bounds.add(position)
    return start in bounds and end in bounds


@lru_cache(maxsize=_CACHE_SIZE)
def _looks_like_brand(word: str) -> bool:
    """Two characters that could name a product (曦云, 远征): one word for jieba, and a
    name-like one (a proper noun, an abbreviation) or one its dictionary does not know."""
    tags = segment.tag(word)
    if len(tags) != 1:
        return False
    flag = tags[0][1]
    return (flag[:1] in ("n", "j", "x") and flag != "n") or not segment.is_dictionary_word(word)


_GENERIC_TAGS = ("n", "vn", "v", "a", "b", "d", "m", "q", "s", "f", "t", "an", "ad", "l", "i", "ns")


_MONEY_SUFFIXES = ("投资", "基金", "资本", "创投")
_LIST_FOLLOWERS = set("和与及、,;:()等领跟参联共\n") | {""}


@lru_cache(maxsize=_CACHE_SIZE)
def _generic_word(prefix: str, places: bool) -> bool:
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
def _generic_org(name: str) -> bool:
    """`人工智能`, `北京市人工智能`, `AI智能`, `七大科技`: a field or a count, not a company."""
    if name in GENERIC_ORGS or any(name[-n:] in _GENERIC_TAILS for n in _GENERIC_TAIL_LENGTHS):
        return True
    if name[0] in _NUMERALS:
        return True
    latin = re.match(r"[A-Za-z]+", name)
    return bool(latin and latin.group().lower() in _GENERIC_LATIN)


def _org_prefix(before: str) -> str | None:
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
