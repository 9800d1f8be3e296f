"""Our own labelled set for search quality: 45 subjects of plant life, about
250 documents (notices, rules, reports, manuals) in simplified, traditional
and mixed script, and one query per subject (plus a few extra) with the
documents that should come first (grade 2: about it, grade 1: mentions it).

Generated deterministically from hand-written subjects and templates; the
traditional versions come from OpenCC s2t.
"""
from __future__ import annotations

from dataclasses import dataclass

import opencc

# subject, the query a person would type, department, two sentences about it.
SUBJECTS = [
    ("锅炉房安全检查", "锅炉房 安全检查", "热力厂", "检查压力表、安全阀和水位计是否完好。", "发现缺陷当班记录，限期整改。"),
    ("高炉停炉检修", "高炉 停炉", "炼铁厂", "停炉前降料线并切断煤气。", "检修期间设专人监护炉顶作业。"),
    ("转炉煤气回收", "转炉煤气回收", "炼钢厂", "回收前分析一氧化碳和氧含量。", "氧含量超标时立即放散。"),
    ("冬季防冻保温", "防冻保温", "设备科", "室外管道加装伴热带和保温层。", "停用的水管放空存水防止冻裂。"),
    ("防汛值班安排", "防汛值班", "防汛办", "汛期实行二十四小时值班。", "值班人员保持通讯畅通，按时报告雨情。"),
    ("有限空间作业审批", "有限空间 审批", "安全科", "进入前先通风、检测、再作业。", "作业票由车间主任签字批准。"),
    ("动火作业管理", "动火作业", "安全科", "动火点周围清除可燃物。", "配备灭火器并安排专人看火。"),
    ("起重机械司机持证", "起重机 持证上岗", "设备科", "司机须取得特种设备作业证。", "每班作业前检查制动器和钢丝绳。"),
    ("机车轮对探伤", "轮对探伤", "机务段", "超声波探伤每月进行一次。", "探伤记录保存至轮对报废。"),
    ("接触网停电检修", "接触网 停电", "供电段", "检修前验电并挂接地线。", "恢复送电须经调度员同意。"),
    ("列车调度会议", "调度会议", "调度所", "每日上午九点召开运输调度会议。", "会上通报前一日列车运行情况。"),
    ("供暖管网巡查", "供暖管网 巡查", "热力公司", "巡查人员沿线检查检查井和阀门。", "发现漏水及时关阀并上报。"),
    ("换热站运行规程", "换热站 运行规程", "热力公司", "一次网供水温度按室外温度调节。", "循环泵切换每周进行一次。"),
    ("党支部主题党日", "主题党日", "党委办公室", "每月固定一天开展主题党日活动。", "党员参加学习并交流心得。"),
    ("三会一课制度", "三会一课", "党委办公室", "支部党员大会每季度召开一次。", "党课由支部书记讲授。"),
    ("职工安全培训", "安全培训 考试", "教育培训中心", "新入厂职工接受三级安全教育。", "培训结束进行闭卷考试。"),
    ("劳动防护用品发放", "劳保用品 发放", "后勤保障部", "安全帽、手套和工作服按季度发放。", "领用时本人签字确认。"),
    ("季度部门考核评分", "部门考核 评分", "人力资源部", "基层单位、同级部门和领导分别打分。", "得分按权重汇总后排名。"),
    ("能耗统计月报", "能耗 月报", "能源中心", "统计电、水、蒸汽和煤气消耗。", "与上月和去年同期对比分析。"),
    ("蒸汽管道泄漏处置", "蒸汽 泄漏", "热力厂", "发现泄漏先设置警戒区。", "关闭上下游阀门后泄压处理。"),
    ("配电室巡检制度", "配电室 巡检", "动力厂", "值班电工每两小时巡检一次。", "记录电压、电流和变压器温度。"),
    ("水泵房设备保养", "水泵 保养", "动力厂", "定期更换轴承润滑油。", "检查机械密封是否滴漏。"),
    ("危险化学品储存", "危险化学品 储存", "安全科", "危化品库房分区分类存放。", "出入库实行双人双锁管理。"),
    ("消防器材检查", "消防器材 灭火器", "保卫科", "灭火器每月检查压力表读数。", "消防通道严禁堆放杂物。"),
    ("厂区交通安全", "厂区 限速", "保卫科", "厂区内机动车限速二十公里。", "铁路道口一停二看三通过。"),
    ("食堂卫生管理", "食堂 卫生", "后勤保障部", "食品留样保存四十八小时。", "餐具每餐消毒。"),
    ("设备点检标准", "点检 标准", "设备科", "按点检卡逐项检查并打勾。", "异常情况拍照上传系统。"),
    ("备品备件管理", "备品备件", "物资供应部", "备件入库登记型号和数量。", "低于安全库存时提出采购申请。"),
    ("连铸机漏钢预防", "连铸 漏钢", "炼钢厂", "控制拉速和结晶器液面波动。", "漏钢预报系统报警时立即降速。"),
    ("轧机换辊作业", "轧机 换辊", "轧钢厂", "换辊前停机挂牌上锁。", "新辊安装后试车确认。"),
    ("焦炉加热制度", "焦炉 加热", "焦化厂", "按结焦时间调整标准温度。", "每班测量直行温度两次。"),
    ("环保排放监测", "排放 监测", "环保处", "在线监测二氧化硫和颗粒物浓度。", "超标数据立即查明原因。"),
    ("污水处理站运行", "污水处理", "环保处", "调节池水位保持在规定范围。", "出水化验合格后方可外排。"),
    ("信息系统账号管理", "账号 密码", "信息中心", "离职人员账号当日注销。", "密码每九十天更换一次。"),
    ("网络安全应急预案", "网络安全 应急", "信息中心", "发现病毒立即断开网络。", "按预案逐级上报并保留日志。"),
    ("车间班组建设", "班组建设", "工会", "班组每周召开一次班前会。", "评选优秀班组给予奖励。"),
    ("职工合理化建议", "合理化建议", "工会", "建议经评审采纳后给予奖励。", "每季度公布采纳情况。"),
    ("隐患排查治理", "隐患排查", "安全科", "隐患按等级登记并指定整改责任人。", "整改完成后复查销号。"),
    ("应急救援演练", "应急演练", "安全科", "每半年组织一次综合应急演练。", "演练结束后总结评估。"),
    ("高处作业安全带", "高处作业 安全带", "安全科", "两米以上作业必须系安全带。", "安全带高挂低用。"),
    ("电气设备接地检测", "接地 检测", "动力厂", "接地电阻每年雨季前检测。", "检测不合格的立即整改。"),
    ("煤气区域作业规定", "煤气区域 作业", "燃气车间", "进入煤气区域携带一氧化碳报警仪。", "两人以上同行，一人监护。"),
    ("计量器具检定", "计量器具 检定", "计量中心", "压力表每半年检定一次。", "超期未检定的器具禁止使用。"),
    ("铁路道岔养护", "道岔 养护", "工务段", "道岔每周清扫注油。", "尖轨与基本轨密贴检查。"),
    ("职工体检安排", "职工体检", "人力资源部", "接触职业危害的职工每年体检。", "体检结果存入职业健康档案。"),
]

# Extra queries in other words or scripts, with the subjects they are about.
EXTRA_QUERIES = [
    ("鍋爐房 檢查", [0]), ("高爐 檢修", [1]), ("防汛", [4]), ("動火", [6]), ("接觸網", [9]),
    ("換熱站", [12]), ("能耗 統計", [18]), ("灭火器 压力表", [23]), ("隱患 整改", [37]), ("應急 演練", [38]),
]

KINDS = ["notice", "document", "report", "document"]
PRIMARY_TITLES = ["关于{s}的通知", "{s}管理办法", "{s}情况报告", "{s}操作手册"]
RELATED_TEMPLATES = [
    ("{d}本周工作安排", "本周重点：{s}。{a}另外做好日常巡查。"),
    ("{d}月度工作总结", "本月完成了多项工作，其中{s}按计划推进。{b}"),
]
FILLER = [
    ("{d}办公用品领用说明", "办公用品每月领用一次，由部门内勤统一登记。"),
    ("{d}会议室使用须知", "会议室需提前一天预约，使用后恢复桌椅。"),
    ("{d}节日值班表", "节日期间各部门安排值班人员，保持电话畅通。"),
]


@dataclass(frozen=True)
class Doc:
    doc_id: str
    kind: str
    title: str
    body: str
    department: str


def _script(converter: opencc.OpenCC, text: str, variant: int) -> str:
    """0: simplified, 1: traditional, 2: mixed (every other sentence traditional)."""
    if variant == 0:
        return text
    if variant == 1:
        return converter.convert(text)
    parts = text.split("。")
    return "。".join(converter.convert(p) if i % 2 == 0 else p for i, p in enumerate(parts))


def build() -> tuple[list[Doc], list[tuple[str, dict[str, int]]]]:
    """(documents, [(query, {doc_id: grade})])."""
    to_traditional = opencc.OpenCC("s2t")
    docs: list[Doc] = []
    queries = []
    for number, (subject, query, department, first, second) in enumerate(SUBJECTS):
        grades: dict[str, int] = {}
        for variant in range(2):  # two documents about it: e.g. the notice and the rules
            style = (number + variant) % 4
            doc_id = f"s{number:02}-p{variant}"
            title = PRIMARY_TITLES[style].format(s=subject)
            body = f"为做好{subject}工作，{department}特作如下安排。{first}{second}各单位认真落实。"
            docs.append(Doc(doc_id, KINDS[style], _script(to_traditional, title, (number + variant) % 3),
                            _script(to_traditional, body, (number + 2 * variant) % 3), department))
            grades[doc_id] = 2
        for variant, (title, body) in enumerate(RELATED_TEMPLATES):
            doc_id = f"s{number:02}-r{variant}"
            docs.append(Doc(doc_id, "notice", _script(to_traditional, title.format(d=department), number % 3),
                            _script(to_traditional, body.format(s=subject, a=first, b=second, d=department),
                                    (number + variant + 1) % 3), department))
            grades[doc_id] = 1
        filler_title, filler_body = FILLER[number % len(FILLER)]
        docs.append(Doc(f"s{number:02}-f", "notice", filler_title.format(d=department), filler_body, department))
        queries.append((query, grades))
    for text, subjects in EXTRA_QUERIES:
        grades = {}
        for number in subjects:
            grades.update(queries[number][1])
        queries.append((text, grades))
    return docs, queries
