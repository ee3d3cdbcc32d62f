"""Personal data never reaches a publication.

Everything an app publishes (a disclosure document, a list, a bulletin, a public reply,
a consultation's comments) passes :func:`guard_publication` first. The detectors find:

* resident identity numbers: 18 characters with the GB 11643 check character, a real
  province prefix and a real birth date; the old 15-digit form (region + YYMMDD);
* mobile numbers (1[3-9] + 9 digits, optionally +86 and grouped 3-4-4);
* landlines with an area code (010, 02x, or 0 + three digits; with or without a dash);
  an organisation's hotline (举报电话, 咨询电话, 办公电话 …) is public contact data and is
  not flagged;
* national student numbers (全国学籍号): G or J + an identity-format number, L + region,
  birth date and four random digits — 19 characters in all;
* bank cards: 16–19 digits passing Luhn, not an identity number;
* home addresses: a street and house number with a building, unit or room, or any street
  address after 住址 / 家住 / 居住 …;
* the names of minors: a Chinese name (a surname from the list below + one or two
  characters) next to a minor marker (学生, 幼儿, 小朋友, 同学, 儿子, 女儿, 孩子, a grade or
  class); adult roles (张老师, 王校长, 李主任) and the parents are not minors.

:func:`redact` masks what was found (an identity number keeps its first six and last four
characters, a name its surname). No rule of rules.md names the Personal Information
Protection Law; the rules this serves are PET-9 (nothing that identifies a filer leaves the
case), DIS-2 and ENR-3 (hiring and recruitment results are published: names and masked
identity numbers only), ENR-4 and ENR-1 (admission results and the lottery's data are
published: no child is named), FOI-4 (personal privacy is withheld from a disclosure).

Core names no domain: each app calls the guard in its own publishing service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

ID_CARD = "id_card"
MOBILE = "mobile"
LANDLINE = "landline"
STUDENT_NUMBER = "student_number"
BANK_CARD = "bank_card"
ADDRESS = "address"
MINOR_NAME = "minor_name"

KINDS = (ID_CARD, MOBILE, LANDLINE, STUDENT_NUMBER, BANK_CARD, ADDRESS, MINOR_NAME)
KIND_LABELS = {
    ID_CARD: pgettext_lazy("personal data", "identity number"),
    MOBILE: pgettext_lazy("personal data", "mobile number"),
    LANDLINE: pgettext_lazy("personal data", "landline number"),
    STUDENT_NUMBER: pgettext_lazy("personal data", "student number"),
    BANK_CARD: pgettext_lazy("personal data", "bank card number"),
    ADDRESS: pgettext_lazy("personal data", "home address"),
    MINOR_NAME: pgettext_lazy("personal data", "name of a minor"),
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data at ``text[start:end]``. ``text`` is never shown in a
    repr, a log or the audit log: ``masked`` is what a reader of the finding sees."""

    kind: str
    start: int
    end: int
    text: str = field(repr=False)
    masked: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


# --- Identity numbers (GB 11643) ---------------------------------------------------------

# The province-level prefixes of GB/T 2260 (the first two digits of the address code).
PROVINCES = frozenset(
    (
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42"),
        *("43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"),
    )
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _birth_ok(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= timezone.localdate()


def id_number_valid(value: str) -> bool:
    """An 18-character resident identity number: province prefix, birth date, check
    character; or the 15-digit first-generation form (prefix and a 19YYMMDD birth date)."""
    value = value.upper()
    if len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X"):
        if value[:2] not in PROVINCES or not _birth_ok(int(value[6:10]), int(value[10:12]), int(value[12:14])):
            return False
        return id_check_char(value[:17]) == value[17]
    if len(value) == 15 and value.isdigit():
        return value[:2] in PROVINCES and _birth_ok(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    return False


def mask_id_number(value: str) -> str:
    """How an identity number may be published: the first six and the last four
    characters (the birth date hidden), e.g. 110101********123X."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# --- Patterns --------------------------------------------------------------------------

_ALNUM_BEFORE = r"(?<![0-9A-Za-z\-_/.])"
_ALNUM_AFTER = r"(?![0-9A-Za-z\-_/]|\.\d)"
_ID_RE = re.compile(_ALNUM_BEFORE + r"(\d{17}[\dXx]|\d{15})" + _ALNUM_AFTER)
_STUDENT_RE = re.compile(r"(?<![0-9A-Za-z])([GJLgjl])(\d{17}[\dXx])" + _ALNUM_AFTER)
_MOBILE_RE = re.compile(
    r"(?<![0-9A-Za-z\-_/.])(?:(?:\+|00)?86[- ]?)?(1[3-9]\d(?:[- ]?\d{4}){2})(?![0-9A-Za-z_/]|-\d|\.\d)"
)
_LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z\-_/.])(?:[(（](010|02\d|0[3-9]\d{2})[)）]\s?|(010|02\d|0[3-9]\d{2})[- ]?)([2-9]\d{6,7})"
    r"(?:(?:转|-|ext\.?)\d{1,5})?(?![0-9A-Za-z_/]|\.\d)"
)
_CARD_RE = re.compile(
    r"(?<![0-9A-Za-z\-_/.])(\d{4}(?:[ -]?\d{4}){2}[ -]?\d{4}(?:[ -]?\d{1,3})?)(?![0-9A-Za-z_/]|-\d|\.\d)"
)

# Words just before a number that make it a reference, not a person's number.
_REFERENCE_WORDS = re.compile(
    r"(编号|案号|单号|流水号|订单|文号|批次|序号|号码段|代码|批号|登记号|准考证|考号|合同号|项目号)[:：]?\s*$"
)
_CARD_WORDS = re.compile(r"(卡号|银行卡|账号|帐号|账户|帐户|储蓄卡|借记卡|信用卡|工资卡|社保卡)")
# An organisation's published contact: a hotline or an office's number is public data
# (DIS-2, FEE-4, PET-1): the words before it name a service or a unit, or the words after
# it invite a call.
_HOTLINE_WORDS = re.compile(
    r"(?:热线|举报|监督|咨询|投诉|办公|值班|服务|传真|招生办|办公室|总机|受理|拨打|致电|来电|联系电话|电话|"
    r"[局委办院校所站队厅处科部股组会园县区市]|中心)"
    r"[^。；;，,\n]{0,6}?(?:电话|联系电话|电话号码|号码)?[:：为是]?[(（]?\s*$"
)
_HOTLINE_AFTER = re.compile(r"^[）)]?[，,]?\s*(?:咨询|查询|投诉|反映|举报|进行|了解|联系|询问)")
# ...unless the sentence is about a person: then the number is theirs.
_PERSONAL_WORDS = re.compile(
    r"(本人|我的|我家|家长|宅电|住宅|家庭|家里|联系人|监护人|个人|申请人|反映人|来信人|投诉人|举报人|来访人|当事人|"
    r"住址|家住|现住|回电|儿子|女儿)[^。；;\n]{0,40}$"
    r"|(其|手机)[^。；;\n]{0,6}$"
)

_HAN = r"\u4e00-\u9fff"
_NUM = r"[0-9０-９一二三四五六七八九十百零〇]+"
_PLACE = rf"(?:[{_HAN}]{{1,8}}?(?:省|自治区|市|自治州|州|盟|地区|区|县|旗|镇|乡|街道))"
_STREET_END = r"(?:路|街|巷|大道|道|胡同|弄|里|村|组|社区|小区|花园|公寓|苑|园|庄|坊|城)"
_STREET = rf"(?:[{_HAN}0-9]{{1,12}}?{_STREET_END}(?:{_NUM}[区期])?)"
_HOUSE = rf"{_NUM}(?:[-之]{_NUM})?(?:号(?!楼)|弄)"
_UNIT = rf"(?:{_NUM}(?:号楼|幢|栋|座|单元|楼|层|室|户)|[A-Za-z]座|-{_NUM})"
_ADDRESS_RE = re.compile(
    rf"{_PLACE}*{_STREET}{{1,3}}(?:{_HOUSE})(?:{_UNIT}|{_STREET}|{_HOUSE})*"
    rf"|{_PLACE}*{_STREET}{{1,3}}(?:{_NUM}(?:号楼|幢|栋))(?:{_UNIT})*"
)
_HOME_INSIDE = re.compile(r"(住址|家住|住在|居住在|居住于|现住|现居|户籍地|家庭地址|家庭住址|住所)[:：为是在于]?")
_HOME_WORDS = re.compile(
    r"(住址|家住|住在|居住在|居住于|居住地|现住|现居|户籍地|户籍|家庭地址|家庭住址|住处|住所|寓所)[:：为是在于]?\s*$"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The hundreds of commonest surnames (百家姓 order of frequency), single and double.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆"
    "乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公"
    "哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
DOUBLE_SURNAMES = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门"
)

# Words that begin with a surname's character but are not names.
_NOT_NAMES = _words(
    """
    张贴 王牌 高考 高中 高校 高年 高分 高度 高于 周末 周边 周岁 周一 周二 周三 周四 周五
    周六 周日 周年 方面 方式 方案 方法 方向 于是 于此 向上 向下 向前 安全 安排 安置 常规
    常态 常见 马上 黄金 石头 林木 陈述 程序 成绩 成长 成立 成为 成果 管理 时间 时期 时候
    任务 任何 全部 全体 全面 全校 全区 全市 全县 全国 全员 何时 白天 史上 包括 毛笔 左右
    龙头 金额 康复 文明 文化 文体 文艺 文件 文字 代表 明确 明天 明年 明显 余额 关于 关注
    关心 严格 严重 田径 连续 申请 华文 商量 路上 路队 都是 都在 都有 水平 单位 单独 易于
    从而 从事 计划 计算 应该 应当 应急 能力 强化 强调 平安 平时 平均 和谐 司机 党员 党建
    党支 宣传 宣讲 相关 相互 国家 国旗 国庆 国学 云端 来自 来校 来到 信息 信心 展示 展开
    元旦 利用 居家 富强 由于 由此 解决 解答 宁静 齐心 齐全 伍佰 谷雨 曲目 游戏 游泳 艺术
    牛奶 车辆 项目 景区 冷静 卫生 米饭 宗旨 师生 师资 师德 师范 商业 荣获 荣誉 海报 权益
    强度 禹城 井然 国际 初中 初一 初二 初三 初次 门口 门卫 云南 敬老 晋级 普通 普及 戈壁
    鹿城 雍容 印发 印章 隆重 战略 慕课 危险 危害 公开 公布 公示 公告 公平 公正 公共 公司
    公安 公益 公民 公办 哈尔 元素 信访 展览 智慧 智能 幸福 衡量 富有 尧都 支持 支部 巴士
    丰富 练习 廉洁 禹州 漆黑 卿卿 干部 干净 但是 居民 班级 班主 班会 班长 楚辞 燕子 南京
    南方 南宁 乐器 乐于 乐观 惠及 荆州 鞠躬 谈话 谈心 匡正 封面 池塘 查看 查询 查处 麻烦
    迟到 官方 明白 明星 佘山 冀州 郁闷 原因 原来 原则 原创 储蓄 劳动 皮肤 粟米 闻名 位于
    满意 满分 厉害 伊始 区域 花园 花朵 海洋 权利 强制 帅气 豆浆 盖章 练字 索取 宣布 晋升
    相应 相比 相同 初步 门诊 容易 敬请 来源 都会 普查 戈壁 修改 修订 宿舍 鲜花 印刷 战胜
    玉米 银行 公众 湛蓝 宾馆 利于 居住 揭示 干预 尉氏 冶金 斯文 衣服 信任 展现 阴天 智力
    幸运 奉献 植树 衡阳 富裕 由来 钱款 钱财 万元 万名 万人 严禁 孔子 向着 汤圆 常用 温度
    温暖 康乐 施工 牛顿 樊城 葛洲 安徽 齐鲁 易懂 乔迁 庞大 颜色 庄严 章程 鲁迅 岳阳 殷切
    申报 欧洲 耿直 关键 兰州 焦点 俞敏 左侧 柳树 甘肃 祝福 包含 宁夏 尚未 符合 舒适 纪律
    纪委 纪检 梅花 童年 凌晨 毕业 单元 季度 霍乱 成都 苗木 谷物 盛大 曲线 翁源 冉冉 蓝色
    路线 游览 辛苦 管控 柴油 蒙古 鲍鱼 华为 华中 喻义 房屋 滕州 屈原 饶有 解放 艾滋 尤其
    阳光 时代 穆斯 农村 农业 司法 卓越 古代 古诗 吉林 简单 简介 车站 项链 连接 麦田 褚橙
    窦性 景观 党委 党组 宫殿 费用 卜算 冷水 晏婴 席位 卫星 米粒 柏油 宗教 全程 应用 应对
    边界 边疆 卞和 姬氏 师傅 和平 仇恨 商品 沙滩 荣幸 巫术 寇准 桑树 郎中 甄别 丛林 仲裁
    虞城 敖包 巩固 明朗 苑囿 迟缓 封闭 匡算 乐园 冀中 胥吏 南北 班车 储备 栗子 燕山 楚国
    谌姓 奚落 蔺相 楼梯 楼道 盘点 满足 闻讯 位置 厉行 伊犁 区县 区教 郜城 花费 权限 强身
    屠宰 豆类 朴素 盖州 练就 廉政 禹王 井冈 祖国 漆器 巴蜀 丰收 支出 卿相 国内 狄青 平台
    计入 索引 宣传 晋中 相信 初心 门户 云上 容量 敬业 来往 扈从 晁盖 芮城 都市 普洱 阙如
    浦东 戈尔 伏案 鹿特 薄弱 邸报 雍正 辜负 羊毛 阿姨 乌鲁 母亲 裘皮 修建 宿迁 鲜明 印象
    逯家 隆回 茹素 诸多 战争 慕名 危机 玉兰 银川 亢奋 公园 哈密 湛江 宾客 戎装 勾选 茅台
    利益 於潜 呼吁 居委 揭阳 干事 但凡 尉犁 冶炼 斯坦 元宵 束缚 檀香 衣物 信用 展出 阴影
    昝姓 智育 幸存 奉行 植物 衡水 富民 尧山 闭幕 由衷
    """
)
# Characters common in given names: a candidate's given name is made of these.
GIVEN_CHARS = frozenset(
    "一乙丁七万丈三丰可临丹为丽举久义乐乔书云互亚亦亨京亮亿仁仕付仙代令仪仲伊伍伟传伦伯佑佳俊俐保信修倩倪健"
    "儒元兆先光克兰兴典养军冠冬冰冲凌凡凤凯凰刚创初利则剑力加劲勇勋勤华卉卓南博卫卿厚双台叶吉君启周咏品哲"
    "唯善嘉园国圆圣坚坤培基堂增士壮声夏多天太奇奕奥好妍妙妮姗娇娜娟娥娴婉婕婧婷媛嫣子孜孝孟季宁宇守安宏宗"
    "官定宜宝实宣宸家容宾富寒寿小尚尧展山岑岚峰峻崇嵩川州巧希帆师平年广庆康庭廷建开异弘强彤彦彩彬影征德心志忠怡思"
    "恒恩恬悦惠意爱慈慧懿成戈才承振敏敬文斌斐新旭旺昂昆昊明昕易昭晋晓晗晨晴晶智曦月朋朗杉杏杰松林枫柏柔栋树格"
    "桂桐梅梓梦森楠榕樱欢欣武毅永江池汉汐沁沐沛沫治泉泊泓波泰泽洁洋洛津洪浩海涛润涵淑淞清渊源溪滢滨漫潇澜澄灵炎烁"
    "然煜照熙燕爽牧玄玉王玥玮玲珂珊珍珏琦琪琳琴琼瑜瑞瑶璇璐瓒甜生甫男畅皓盈益盛睿瞻石硕磊祥祺福禹秀秋秦程稳"
    "竹笑笛筱简米粤紫红纯纳纶细绍维绮缘美群羽翔翠翰耀聪胜能航艺艳芊芝芬芮芳芷苏若英茂茗茜茹荣莉莎莹菁菲萌萍萱蓉蓓"
    "蔚蕊蕾薇虹蝶衡誉诗诚语谦豪贝贤贵越路轩辉辰迪进远逸道遥邦郁金鑫铭锋锐锦闻阳雁雄雅雨雪雯霏霖露青靖静韦韩"
    "墨诺韬韵顺颖飞馨驰骏高鸣鸿鹏鹤黎鼎齐龙东新宏伦鹰晟梁栩浚澈琰琛瑾璟熠烨焱苒芸荷莲蓝苓茵萧蔓郎"
)
# A role after the name: an adult, not a minor (张老师, 王校长, 李主任 …).
_ADULT_AFTER = re.compile(
    r"^(老师|教师|校长|副校长|主任|书记|局长|副局长|科长|处长|园长|所长|院长|部长|组长|同志|先生|女士|家长|妈妈|爸爸|"
    r"父亲|母亲|医生|教练|律师|警官|阿姨|叔叔|经理|会计|委员|代表|干部|职工|教授|工程师|师傅|奶奶|爷爷|外婆|外公)"
)
# Surnames that, right after a marker, are a preposition or an adverb (学生和家长, 学生都).
_NOT_SURNAME_HERE = frozenset("和与及向同对把被让给为于从由将都也还就在已均共全")
# Characters that end a name early: a third character like these is not part of it.
_NOT_NAME_TAIL = frozenset("在于的和与是及等同因被把将向对获参荣说家今昨已曾也都就还又并从到让给为由所能会要着了过说")
_MINOR_MARK = re.compile(
    r"(?:学生|幼儿|小朋友|同学|儿子|女儿|孩子|之子|之女|学童|小学生|初中生|高中生|考生|该生|幼童"
    rf"|{_NUM}年级(?:[（(]?{_NUM}[)）]?班)?(?:的|学生)?|[（(]?{_NUM}[)）]?班(?:的|学生)?)"
    r"(?:[:：为是]|[（(])?\s?"
)
_MINOR_AFTER = re.compile(rf"小?同学|小朋友|[（(]{_NUM}年级")


def _reference_before(text: str, start: int) -> bool:
    return bool(_REFERENCE_WORDS.search(text[max(0, start - 12) : start]))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _scan_ids(text: str, taken: list[tuple[int, int]]) -> list[Finding]:
    found = []
    for m in _STUDENT_RE.finditer(text):
        letter, body = m.group(1).upper(), m.group(2).upper()
        ok = _birth_ok(int(body[6:10]), int(body[10:12]), int(body[12:14])) and body[:2] in PROVINCES
        if letter in "GJ":
            ok = ok and id_check_char(body[:17]) == body[17]
        if ok:
            found.append(Finding(STUDENT_NUMBER, m.start(), m.end(), m.group(0), letter + mask_id_number(body)))
            taken.append((m.start(), m.end()))
    for m in _ID_RE.finditer(text):
        if _overlaps(m.start(), m.end(), taken):
            continue
        value = m.group(1)
        if id_number_valid(value) and not (len(value) == 15 and _reference_before(text, m.start())):
            found.append(Finding(ID_CARD, m.start(), m.end(), value, mask_id_number(value.upper())))
            taken.append((m.start(), m.end()))
    return found


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in taken)


def _scan_numbers(text: str, taken: list[tuple[int, int]]) -> list[Finding]:
    found = []
    for m in _CARD_RE.finditer(text):
        digits = _digits(m.group(1))
        if not 16 <= len(digits) <= 19 or _overlaps(m.start(), m.end(), taken) or not luhn_valid(digits):
            continue
        context = text[max(0, m.start() - 12) : m.start()]
        if _reference_before(text, m.start()) and not _CARD_WORDS.search(context):
            continue
        if digits[0] not in "34569" and not _CARD_WORDS.search(context):
            continue
        masked = digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
        found.append(Finding(BANK_CARD, m.start(), m.end(), m.group(0), masked))
        taken.append((m.start(), m.end()))
    for m in _MOBILE_RE.finditer(text):
        if _overlaps(m.start(), m.end(), taken) or _reference_before(text, m.start()):
            continue
        digits = _digits(m.group(1))
        found.append(Finding(MOBILE, m.start(), m.end(), m.group(0), digits[:3] + "****" + digits[-4:]))
        taken.append((m.start(), m.end()))
    for m in _LANDLINE_RE.finditer(text):
        area = m.group(1) or m.group(2)
        if _overlaps(m.start(), m.end(), taken) or _reference_before(text, m.start()):
            continue
        if not (area == "010" or (len(area) == 3 and area[1] == "2") or (len(area) == 4 and area[1] in "3456789")):
            continue
        before = text[max(0, m.start() - 14) : m.start()]
        public = _HOTLINE_WORDS.search(before) or _HOTLINE_AFTER.match(text[m.end() : m.end() + 8])
        if public and not _PERSONAL_WORDS.search(text[max(0, m.start() - 60) : m.start()]):
            continue
        local = m.group(3)
        masked = f"{area}-{local[:2]}{'*' * (len(local) - 4)}{local[-2:]}"
        found.append(Finding(LANDLINE, m.start(), m.end(), m.group(0), masked))
        taken.append((m.start(), m.end()))
    return found


def _scan_addresses(text: str, taken: list[tuple[int, int]]) -> list[Finding]:
    found = []
    for m in _ADDRESS_RE.finditer(text):
        start, value = m.start(), m.group(0)
        home = None
        for inside in _HOME_INSIDE.finditer(value):
            home = inside
        if home is not None:
            start, value = start + home.end(), value[home.end() :]
        residential = re.search(rf"{_NUM}(单元|室|户)|(号楼|幢|栋)-?[0-9]{{3,4}}$|号{_NUM}(号楼|幢|栋)", value)
        if not residential and not _HOME_WORDS.search(text[max(0, start - 8) : start]):
            continue
        if not value or _overlaps(start, m.end(), taken):
            continue
        street = re.match(rf"{_PLACE}*", value)
        keep = street.end() if street else 0
        found.append(Finding(ADDRESS, start, m.end(), value, value[:keep] + "*" * min(6, len(value) - keep)))
        taken.append((start, m.end()))
    return found


def _name_at(text: str, start: int) -> str:
    """The name beginning at ``start`` (surname + one or two characters), or ''."""
    window = text[start : start + 4]
    if window[:2] in DOUBLE_SURNAMES:
        surname = window[:2]
    elif window[:1] in SURNAMES:
        surname = window[:1]
    else:
        return ""
    rest = re.match(rf"[{_HAN}]{{1,2}}", text[start + len(surname) : start + len(surname) + 2])
    if not rest:
        return ""
    given = rest.group(0)
    after = text[start + len(surname) + 2 :]
    if len(given) == 2 and (
        given[1] in _NOT_NAME_TAIL or given[1] not in GIVEN_CHARS or _ADULT_AFTER.match(given[1:] + after)
    ):
        given = given[:1]
    name = surname + given
    if surname in _NOT_SURNAME_HERE or name[:2] in _NOT_NAMES or "某" in name:
        return ""
    if given[0] in _NOT_NAME_TAIL or given[0] not in GIVEN_CHARS:
        return ""
    return name


def _name_before(text: str, end: int) -> tuple[int, str]:
    """The name ending at ``end`` (before 同学 …): three characters when they read as one."""
    for size in (3, 2):
        start = end - size
        if start < 0:
            continue
        if size == 3 and text[start] in _NOT_NAME_TAIL:
            continue
        name = _name_at(text, start)
        if name and start + len(name) == end:
            return start, name
    return -1, ""


def _mask_name(name: str) -> str:
    surname = 2 if name[:2] in DOUBLE_SURNAMES else 1
    return name[:surname] + "*" * (len(name) - surname)


def _listed_after(text: str, end: int, taken: list[tuple[int, int]]) -> list[Finding]:
    """The names listed after a minor's name (张三、李四和王五): minors too."""
    found = []
    while end < len(text) and text[end] in "、和及与":
        start = end + 1
        name = _name_at(text, start)
        stop = start + len(name)
        if not name or _ADULT_AFTER.match(text[stop:]) or _overlaps(start, stop, taken):
            break
        found.append(Finding(MINOR_NAME, start, stop, name, _mask_name(name)))
        taken.append((start, stop))
        end = stop
    return found


def _scan_minors(text: str, taken: list[tuple[int, int]]) -> list[Finding]:
    found = []
    for m in _MINOR_MARK.finditer(text):
        i = m.end()
        name = _name_at(text, i)
        if not name or _overlaps(i, i + len(name), taken):
            continue
        if _ADULT_AFTER.match(text[i + len(name) :]) or _ADULT_AFTER.match(text[i + 1 :]):
            continue
        found.append(Finding(MINOR_NAME, i, i + len(name), name, _mask_name(name)))
        taken.append((i, i + len(name)))
        found += _listed_after(text, i + len(name), taken)
    for m in _MINOR_AFTER.finditer(text):
        start, name = _name_before(text, m.start())
        if not name or _overlaps(start, m.start(), taken):
            continue
        found.append(Finding(MINOR_NAME, start, m.start(), name, _mask_name(name)))
        taken.append((start, m.start()))
    return found


def scan(text: str, *, kinds: Iterable[str] = KINDS) -> list[Finding]:
    """Every piece of personal data in ``text``, in order of position."""
    wanted = set(kinds)
    taken: list[tuple[int, int]] = []
    found = _scan_ids(text, taken)
    found += _scan_numbers(text, taken)
    found += _scan_addresses(text, taken)
    found += _scan_minors(text, taken)
    return sorted((f for f in found if f.kind in wanted), key=lambda f: (f.start, f.end))


def redact(text: str, findings: Iterable[Finding] | None = None) -> str:
    """``text`` with every finding replaced by its masked form."""
    items = scan(text) if findings is None else list(findings)
    out, at = [], 0
    for f in sorted(items, key=lambda f: f.start):
        if f.start < at:
            continue
        out += [text[at : f.start], f.masked]
        at = f.end
    out.append(text[at:])
    return "".join(out)


def html_text(html: str) -> str:
    """What a reader of an HTML body sees, paragraphs as lines."""
    for tag in ("</p>", "<br>", "<br/>", "<br />", "</li>", "</tr>", "</td>", "</th>"):
        html = html.replace(tag, tag + "\n")
    return strip_tags(html)


# The kinds a reviewer may mark as public, one finding at a time: an office's landline
# (a school's reception, a unit's office) that the hotline words around it did not
# reveal. Never an identity number, a person's mobile, a student number, a bank card, an
# address or a minor's name.
PUBLIC_OFFICE_KINDS = frozenset({LANDLINE})


def number_key(finding: Finding) -> str:
    """The digits of a finding: what a reviewer's "public office number" names."""
    return _digits(finding.text)


@dataclass(frozen=True)
class Review:
    """What the reviewer decided on the publication's review form (core/privacy/review.html):
    the landlines they marked as public office numbers (by their digits) and why, and
    whether they looked through the scans that carry no text (PDFs without a text
    layer: nothing could be read in them); ``masked``: what the proposed redaction they
    took masked, counts per kind."""

    public_numbers: frozenset[str] = frozenset()
    reason: str = ""
    scans_seen: bool = False
    masked: tuple[tuple[str, int], ...] = ()

    def allows(self, finding: Finding) -> bool:
        return finding.kind in PUBLIC_OFFICE_KINDS and number_key(finding) in self.public_numbers

    def redact(self, text: str) -> str:
        """``text`` with the proposed redaction: every finding masked but those marked public."""
        return redact(text, [f for f in scan(text) if not self.allows(f)])

    def take_redaction(self, *texts: str) -> tuple[list[str], Review]:
        """The texts with the proposed redaction, and this review counting what it masked
        (for the audit entry of :func:`review_record`)."""
        found = [f for text in texts for f in scan(text) if not self.allows(f)]
        masked = tuple(sorted(audit_summary(found).items()))
        return [self.redact(text) for text in texts], replace(self, masked=masked)

    def as_data(self) -> dict[str, Any]:
        return {"public_numbers": sorted(self.public_numbers), "reason": self.reason, "scans_seen": self.scans_seen}

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Review:
        data = data or {}
        return cls(
            public_numbers=frozenset(data.get("public_numbers") or ()),
            reason=str(data.get("reason") or ""),
            scans_seen=bool(data.get("scans_seen")),
        )


NO_REVIEW = Review()


def pdf_has_text(data: bytes, *, pages: int = 50) -> bool:
    """Whether a PDF carries a text layer on any of its first ``pages`` pages. A scan (an
    image per page) has none: the guard cannot read it, a person must look. A file pypdf
    cannot open counts as without text."""
    from sunshine.core.documents import pdf_bytes_text

    return bool(pdf_bytes_text(data, max_pages=pages).strip())


class PersonalDataFound(ValidationError):
    """A publication would carry personal data, or a scan nobody has looked at.
    ``findings`` lists what and where (each with its masked form); ``scans`` names the
    attachments without a text layer the reviewer has not confirmed. The message names
    the kinds, the places and the masked excerpts — never the data itself."""

    def __init__(self, findings: list[tuple[str, Finding]], scans: Iterable[str] = ()) -> None:
        self.findings = findings
        self.scans = list(scans)
        messages = []
        if findings:
            lines = []
            for where, f in findings[:12]:
                place = (
                    _("%(where)s, character %(n)s") % {"where": where, "n": f.start + 1}
                    if where
                    else _("character %(n)s") % {"n": f.start + 1}
                )
                lines.append(
                    _("%(kind)s at %(place)s: %(masked)s") % {"kind": f.label, "place": place, "masked": f.masked}
                )
            message = _("This cannot be published: it contains personal data (%(list)s).") % {"list": "；".join(lines)}
            more = len(findings) - 12
            if more > 0:
                message += _(" And %(n)s more.") % {"n": more}
            messages.append(message)
        if self.scans:
            messages.append(
                _(
                    "Not published: %(names)s is a scan without text, so its personal data cannot be checked "
                    "automatically. Look through every page, then confirm on the review form that it carries "
                    "no personal data."
                )
                % {"names": "、".join(f"《{name}》" for name in self.scans)}
            )
        super().__init__("".join(messages), code="personal_data" if findings else "scan_unchecked")

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for _where, f in self.findings})

    @property
    def office_numbers(self) -> list[tuple[str, Finding]]:
        """The findings a reviewer may mark as public office numbers (one per number)."""
        seen: set[str] = set()
        found = []
        for where, f in self.findings:
            if f.kind in PUBLIC_OFFICE_KINDS and number_key(f) not in seen:
                seen.add(number_key(f))
                found.append((where, f))
        return found


def guard_publication(
    *texts: str | tuple[str, str],
    allow: Iterable[str] = (),
    review: Review = NO_REVIEW,
    scans: Iterable[str] = (),
) -> None:
    """Raises :class:`PersonalDataFound` when any text carries personal data of a kind not
    in ``allow`` (and not a landline the reviewer marked as a public office number), or
    when ``scans`` names attachments without a text layer and the reviewer has not
    confirmed they looked at them. Each text is a string or ``(where, text)``, ``where``
    naming the part (正文, 标题, an attachment's name) in the message."""
    allowed = set(allow)
    kinds = [k for k in KINDS if k not in allowed]
    found: list[tuple[str, Finding]] = []
    for item in texts:
        where, text = item if isinstance(item, tuple) else ("", item)
        found += [(where, f) for f in scan(text or "", kinds=kinds) if not review.allows(f)]
    unseen = [] if review.scans_seen else list(scans)
    if found or unseen:
        raise PersonalDataFound(found, unseen)


def review_record(
    *, actor: Any, target: Any, review: Review, scans: Iterable[str] = (), action: str = "core.privacy_review"
) -> None:
    """The audit entry of a reviewer's decisions on a publication: the numbers they marked
    as public office numbers (masked) and why, the scans (by name) they confirmed they
    looked at, and what the redaction they took masked (counts per kind). Nothing is
    recorded when they decided nothing."""
    from sunshine.core.audit import audit_record

    seen = list(scans) if review.scans_seen else []
    if not review.public_numbers and not seen and not review.masked:
        return
    data: dict[str, Any] = {}
    if review.masked:
        data["masked"] = dict(review.masked)
    if review.public_numbers:
        data["public_office_numbers"] = [n[:4] + "*" * (len(n) - 6) + n[-2:] for n in sorted(review.public_numbers)]
        data["reason"] = review.reason[:200]
    if seen:
        data["scans_seen"] = seen
    audit_record(actor=actor, action=action, target=target, data=data)


def audit_summary(findings: Iterable[Finding | tuple[str, Finding]]) -> dict[str, int]:
    """What an audit entry may keep of a guard's findings: counts per kind."""
    counts: dict[str, int] = {}
    for item in findings:
        f = item[1] if isinstance(item, tuple) else item
        counts[f.kind] = counts.get(f.kind, 0) + 1
    return counts
