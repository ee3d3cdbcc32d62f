"""Fictional posts written for training (no real person or school): they add the
praise stance (absent from the government message boards) and the short, informal
phrasing of social-media posts. Deterministic (seeded)."""

from __future__ import annotations

import random

PLACES = ("城东", "河西", "新区", "南湖", "青山", "北关", "桃李", "枫林", "滨江", "云岭")
SCHOOLS = (
    "实验小学",
    "第一中学",
    "第二小学",
    "中心幼儿园",
    "育才学校",
    "第三中学",
    "高级中学",
    "职业中专",
    "外国语学校",
    "中心小学",
)

SUBJECTS: dict[str, tuple[str, ...]] = {
    "fees": (
        "收了300元资料费还不给收据",
        "强制收取校服费",
        "幼儿园学费一学期涨了两千",
        "收赞助费才让入学",
        "代收的保险费没有退",
    ),
    "enrollment": (
        "划片入学不公平",
        "摇号结果没有公示",
        "孩子有房有户却没学位",
        "转学手续办了两个月",
        "招生简章一直没发布",
    ),
    "conduct": (
        "老师体罚学生",
        "班主任向家长索要红包",
        "在职老师在家开有偿补习班",
        "老师上课辱骂学生",
        "老师暗示家长送礼",
    ),
    "burden": (
        "周末组织学生补课",
        "作业每天写到十一点",
        "校外培训机构超前教学",
        "假期强制到校上课",
        "考试排名天天公布",
    ),
    "safety": ("校门口车辆乱停太危险", "学生被校外人员欺凌", "校车超载", "教学楼栏杆松动", "放学路口没有红绿灯"),
    "food": ("食堂饭菜有异物", "营养餐分量太少", "学生吃完午餐集体腹泻", "食堂卫生状况很差", "配餐公司饭菜变质"),
    "staff": ("拖欠老师绩效工资", "代课老师待遇太低", "教师招聘结果不公开", "学校缺英语老师", "乡村教师补贴没有发放"),
    "facilities": ("厕所漏水好几个月", "教室没有空调", "操场塑胶跑道有异味", "宿舍床位不够", "饮水机坏了没人修"),
}
PRAISE: dict[str, tuple[str, ...]] = {
    "fees": ("学校公开了每一笔收费，家长很放心", "主动清退了多收的费用"),
    "enrollment": ("招生全程公开透明，点赞", "入学办理一次就办好了"),
    "conduct": ("班主任深夜送发烧的学生去医院", "老师自费给困难学生买校服"),
    "burden": ("学校取消了周末补课，孩子睡眠充足了", "作业少了，孩子有时间锻炼"),
    "safety": ("保安每天在路口护送学生过马路", "学校组织的防溺水教育很实用"),
    "food": ("食堂饭菜营养又好吃，孩子很喜欢", "校长陪学生一起吃午餐"),
    "staff": ("年轻老师扎根乡村十年", "老师们的敬业精神值得表扬"),
    "facilities": ("新操场建好了，孩子们很开心", "学校新装了空调和直饮水"),
}
NON_EDU = (
    "小区门口的路灯坏了一个月",
    "公交车班次太少",
    "菜市场占道经营",
    "工地晚上施工扰民",
    "医保报销太慢",
    "小区物业乱收停车费",
    "农民工工资被拖欠",
    "河道垃圾没人清理",
    "商场促销虚假宣传",
    "景区门票太贵",
    "社区医院看病排队太久",
    "出租车拒载",
    "自来水水质发黄",
    "电动车充电难",
    "路面坑洼不平",
)
NON_EDU_PRAISE = (
    "社区工作人员服务热情，点赞",
    "交警雨中指挥交通，致敬",
    "医院护士照顾病人很细心，表扬",
    "新修的公园环境很好",
)

COMPLAINT = ("{who}{what}，{tail}", "投诉{who}{what}！{tail}", "{who}{what}，有没有人管？", "举报：{who}{what}")
REQUEST = (
    "请问{who}{what}的问题什么时候能解决？",
    "希望有关部门尽快处理{who}{what}的问题",
    "恳请教育局帮忙：{who}{what}",
    "{who}{what}，怎么办？求助",
)
SUGGESTION = (
    "建议{who}改进：{what}",
    "关于{who}{what}的几点建议",
    "呼吁{who}重视{what}的问题，建议建立长效机制",
    "建议教育部门规范{what}",
)
PRAISE_T = ("为{who}点赞！{what}", "表扬{who}：{what}", "感谢{who}，{what}", "{who}{what}，好样的")
TAILS = ("家长意见很大", "孩子很受影响", "已经反映多次没有结果", "请教育局调查", "大家都很气愤")


def synthetic_posts(n_per_cell: int = 12, seed: int = 20261122) -> list[tuple[str, int, str, str]]:
    """(text, education, topic, stance) tuples."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sampling, not security)
    posts: list[tuple[str, int, str, str]] = []

    def who() -> str:
        return rng.choice(PLACES) + rng.choice(SCHOOLS)

    for topic, subjects in SUBJECTS.items():
        for stance, templates in (("complaint", COMPLAINT), ("request", REQUEST), ("suggestion", SUGGESTION)):
            for _ in range(n_per_cell):
                text = rng.choice(templates).format(who=who(), what=rng.choice(subjects), tail=rng.choice(TAILS))
                posts.append((text, 1, topic, stance))
        for _ in range(n_per_cell):
            text = rng.choice(PRAISE_T).format(who=who(), what=rng.choice(PRAISE[topic]))
            posts.append((text, 1, topic, "praise"))
    for _ in range(n_per_cell * 6):
        place = rng.choice(PLACES)
        stance, templates = rng.choice((("complaint", COMPLAINT), ("request", REQUEST), ("suggestion", SUGGESTION)))
        text = rng.choice(templates).format(who=place, what=rng.choice(NON_EDU), tail="居民意见很大")
        posts.append((text, 0, "", stance))
    for _ in range(n_per_cell):
        posts.append((f"{rng.choice(PLACES)}{rng.choice(NON_EDU_PRAISE)}", 0, "", "praise"))
    return posts
