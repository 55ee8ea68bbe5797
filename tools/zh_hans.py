"""Chinese (zh_Hans) wording for the interface, applied to the .po file by `tools/translate.py`.

Keep this table in step with new strings: `make test` fails on any untranslated message.
"""

ZH = {
    "Minsheng": "民生", "Core": "基础数据", "Staff": "机关工作人员", "Leader": "领导", "Member": "委员",
    "Unit handler": "承办单位", "District staff": "区政协工作人员", "Political party": "政党",
    "People's organisation": "人民团体", "Professional sector": "专业界别", "Specially invited": "特邀",
    "Communist Party of China": "中国共产党", "Democratic party": "民主党派", "Non-party": "无党派",
    "Serving": "在任", "Suspended": "暂停履职", "Left": "离任", "Party and mass organisation": "党群",
    "Government": "政府", "People's congress": "人大", "CPPCC": "政协", "Court": "法院", "Procuratorate": "检察院",
    "District government": "区政府", "Street or township": "街道乡镇", "Public-service enterprise": "公共服务企业",
    "Other": "其他", "Municipal Party committee": "市委", "Municipal People's Congress": "市人大",
    "Municipal government": "市政府", "Municipal CPPCC": "市政协", "City": "市", "District": "区",
    "Community or village": "社区（村）", "Seven haves (七有)": "七有", "Five qualities (五性)": "五性",
    "Holiday": "节假日", "Make-up workday": "调休上班", "working days": "个工作日", "calendar days": "个自然日",
    "months": "个月", "hours": "小时", "Queued": "排队中", "Running": "运行中", "Succeeded": "已完成",
    "Failed": "失败", "Cancelled": "已取消", "Home": "首页", "Members": "委员", "Units": "承办单位",
    "Sectors": "界别", "Districts": "区", "Search": "搜索", "Jobs": "后台任务", "Back office": "后台管理",
    "Unknown job kind %(kind)s.": "未知的任务类型 %(kind)s。", "No such job.": "没有这个任务。",
    "This job has failed %(n)s times and will not be retried.": "该任务已失败 %(n)s 次，不再重试。",
    "You may not cancel this job.": "您无权取消该任务。", "Only a queued job can be cancelled.": "只有排队中的任务可以取消。",
    "name": "名称", "role": "角色", "handling unit": "承办单位", "district": "区", "phone": "电话", "user": "用户",
    "users": "用户", "API token": "API 令牌", "API tokens": "API 令牌", "number": "序号", "starts on": "开始日期",
    "ends on": "结束日期", "term": "届", "terms": "届", "opens on": "开幕日期", "closes on": "闭幕日期",
    "plenary proposal cut-off": "大会提案截止时间", "session": "次会议", "sessions": "次会议", "short name": "简称",
    "category": "类别", "order": "排序", "convener": "召集人", "active": "启用", "sector": "界别", "sectors": "界别",
    "kind": "类型", "party or organisation": "党派团体", "parties and organisations": "党派团体",
    "special committee": "专门委员会", "special committees": "专门委员会", "code": "代码", "level": "层级",
    "parent": "上级", "area": "地区", "areas": "地区", "livelihood tag": "民生标签", "livelihood tags": "民生标签",
    "type": "类型", "parent organ": "所属系统", "parent unit": "上级单位", "contact": "联系人",
    "contact phone": "联系电话", "contact e-mail": "联系邮箱", "handling units": "承办单位", "Male": "男",
    "Female": "女", "gender": "性别", "account": "账号", "party": "党派", "committees": "专委会",
    "standing committee member": "常委", "Hong Kong or Macao member": "港澳委员", "status": "状态",
    "workplace and title": "工作单位及职务", "member": "委员", "members": "委员", "date": "日期",
    "calendar day": "日历日", "amount": "数量", "unit": "单位", "source or note": "依据或说明",
    "deadline rule": "期限规则", "deadline rules": "期限规则", "time": "时间", "actor": "操作人", "action": "动作",
    "from": "原状态", "to": "新状态", "note": "说明", "data": "数据", "event": "事件", "events": "事件",
    "idempotency key": "幂等键", "title": "标题", "parameters": "参数", "log": "日志", "result": "结果",
    "error": "错误", "created by": "创建人", "created": "创建时间", "started": "开始时间", "finished": "结束时间",
    "job": "后台任务", "jobs": "后台任务", "recipient": "接收人", "message": "内容", "link": "链接", "read": "已读",
    "notification": "通知", "notifications": "通知", "file": "文件", "file name": "文件名", "size": "大小",
    "content type": "文件类型", "uploaded by": "上传人", "uploaded": "上传时间", "attachment": "附件",
    "attachments": "附件", "search entry": "检索条目", "search entries": "检索条目", "Serving members": "在任委员",
    "Sectors covered": "覆盖界别", "of %(n)s sectors": "共 %(n)s 个界别", "Standing committee members": "常委",
    "Handling units": "承办单位", "Jobs running": "运行中的任务", "Leader's overview": "领导总览",
    "Office workbench": "机关工作台", "My sector": "我的界别", "Members in my sector": "本界别委员",
    "Member's desk": "委员工作台", "My unit": "我的单位", "Colleagues in my unit": "本单位经办人",
    "Handling unit desk": "承办单位工作台", "My district": "我的区", "Streets and townships": "街道乡镇",
    "Members in my district": "本区委员", "District desk": "区政协工作台", "Unread notifications": "未读通知",
    "You may not attach files to this item.": "您无权为此事项上传附件。", "The file %(name)s is empty.": "文件 %(name)s 是空的。",
    "The file %(name)s is %(size)s MB; the limit is %(limit)s MB.": "文件 %(name)s 大小为 %(size)s MB，超过 %(limit)s MB 的上限。",
    "Files of type %(suffix)s are not accepted, or the content does not match the name. Accepted: %(types)s.":
        "不接受 %(suffix)s 类型的文件，或文件内容与扩展名不符。可接受：%(types)s。",
    "(none)": "（无）", "Give the token a name.": "请为令牌命名。", "No such active token.": "没有这个有效令牌。",
    "Status": "状态", "attempt %(n)s": "第 %(n)s 次尝试", "Log": "日志", "Code": "代码",
    "No districts yet: run “minsheng load_areas”.": "尚无区划数据：请运行“minsheng load_areas”。",
    "There is nothing to show yet.": "暂无内容。", "Title": "标题", "Progress": "进度", "Created": "创建时间",
    "No jobs have run yet.": "还没有运行过后台任务。", "Standing committee member": "常委", "Sector": "界别",
    "Party": "党派", "Committees": "专委会", "Term": "届别", "Workplace and title": "工作单位及职务", "Phone": "电话",
    "%(n)s member": "%(n)s 名委员", "%(n)s members": "%(n)s 名委员", "Name, sector or workplace": "姓名、界别或工作单位",
    "All sectors": "全部界别", "All parties": "全部党派", "Committee": "专委会", "All committees": "全部专委会",
    "All districts": "全部区", "Filter": "筛选", "Name": "姓名", "Standing": "常委",
    "No member matches these filters.": "没有符合条件的委员。", "Notifications": "通知", "Mark all read": "全部标为已读",
    "No notifications.": "没有通知。", "Search in Chinese, e.g. 朝阳 or 民政局": "输入中文检索，如“朝阳”或“民政局”",
    "Nothing found for “%(q)s”.": "没有找到与“%(q)s”相关的内容。", "Category": "类别",
    "No sectors yet: load the demo data or add them in the back office.": "尚无界别：请加载演示数据或在后台添加。",
    "Type": "类型", "Parent organ": "所属系统", "Parent unit": "上级单位", "Area": "地区", "Contact": "联系人",
    "Subordinate units": "下属单位", "Unit name": "单位名称", "All types": "全部类型",
    "No unit matches these filters.": "没有符合条件的单位。", "%(n)s notifications marked read.": "已将 %(n)s 条通知标为已读。",
    "Not allowed": "无权访问", "Your role does not allow you to see or do this. If you think it should, ask the office.":
        "您的角色无权查看或执行此操作。如有疑问，请联系机关。",
    "Back to home": "返回首页", "Not found": "未找到", "There is nothing at this address.": "此地址没有内容。",
    "Pages": "分页", "Previous": "上一页", "Page %(n)s of %(total)s": "第 %(n)s 页，共 %(total)s 页", "Next": "下一页",
    "Timeline": "办理时间线", "System": "系统", "Nothing has happened here yet.": "暂无记录。", "Menu": "菜单",
    "Sign out": "退出", "Minsheng — people's livelihood, tracked to the outcome.": "民生——群众关切，件件有着落。",
    "Account locked": "账号已锁定", "Too many failed sign-ins": "登录失败次数过多",
    "This account is locked for 30 minutes after repeated wrong passwords. Try again later or ask the office to unlock it.":
        "密码多次输入错误，账号已锁定 30 分钟。请稍后再试，或联系机关解锁。",
    "Sign in": "登录", "User name": "用户名", "Password": "密码", "Minsheng API": "民生 API",
}

ZH.update({
    "attached a file": "上传附件", "created an API token": "创建 API 令牌", "revoked an API token": "吊销 API 令牌",
    "created": "创建", "updated": "更新",
})

ZH.update({"Directory": "名录", "System": "系统"})

ZH.update({"- Select an option -": "- 请选择 -"})

ZH.update({
    "expires at": "到期时间", "A token is valid for 1 to %(max)d days.": "令牌有效期为 1 至 %(max)d 天。",
    "The ticket number starts with “%(c)s”, which a spreadsheet runs as a formula.":
        "工单编号以“%(c)s”开头，电子表格会将其作为公式执行。",
    "The ticket number contains a control character.": "工单编号含有控制字符。",
    "District staff see only their own district's breakdown.": "区政协工作人员只能查看本区的分项数据。",
    "Name the member to invite.": "请指定要邀请的委员。",
})

ZH.update({
    # words, searchable form, search results, job results (issue: interface strings meant for the reader)
    "%(n)s result": "共 %(n)s 条结果", "%(n)s results": "共 %(n)s 条结果",
    "only the best matches are shown: add a word to narrow the search": "仅显示最相关的结果，可再加一个词缩小范围",
    "Objects indexed: %(n)s": "建立索引：%(n)s 个对象", "Caches warmed: %(n)s": "预热缓存：%(n)s 项",
    "Tickets classified: %(n)s": "自动分类工单：%(n)s 件", "Reminders sent: %(n)s": "发送到期提醒：%(n)s 条",
    "Records marked overdue: %(n)s": "标记逾期：%(n)s 件", "Records escalated to the office: %(n)s": "上报机关督办：%(n)s 件",
    "Rows read: %(n)s": "读取行数：%(n)s 行", "Tickets imported: %(n)s": "导入工单：%(n)s 件",
    "Tickets skipped as already present: %(n)s": "已存在而跳过：%(n)s 件", "Rows rejected: %(n)s": "拒收行数：%(n)s 行",
    "File encoding: %(n)s": "文件编码：%(n)s",
    "An error report was written; download it from the import page.": "已生成错误报告，可在导入页面下载。",
    "Score (out of 100) = 100 × (0.30 × frequency (the category’s tickets ÷ the busiest category’s) + 0.20 × persistence (share of months with at least half the monthly mean) + 0.25 × hardness (1 − mean of the resolution and satisfaction rates) + 0.15 × city-wide spread (share of districts with tickets, lower when one district dominates) + 0.10 × growth (second half of the year against the first)). The higher the score, the better the problem suits 每月一题.":
        "得分（满分 100）= 100 ×（0.30 × 高频（该类工单数 ÷ 工单最多一类的工单数）+ 0.20 × 持续（工单数达到月均一半的月份占比）+ 0.25 × 难度（1 − 解决率与满意率的平均）+ 0.15 × 全市分布（有工单的区占比，集中于一个区时降低）+ 0.10 × 增长（下半年对上半年））。得分越高，越适合列为每月一题。",
    "Type part of a name to search": "输入名称中的几个字搜索", "No match": "没有匹配项",
    "Category %(code)s: %(label)s": "%(code)s类：%(label)s",
    "Save and submit": "保存并提交", "Save and resubmit": "保存并重新提交",
    "The draft was saved but not submitted: %(reason)s": "草稿已保存，但尚未提交：%(reason)s",
    "Proposal submitted as number %(number)s and waiting for the first review; you will be told the outcome of the review.":
        "提案已提交，编号 %(number)s，等待初审；审查结果会通知您。",
    "Draft saved. Once the co-signers you invited have confirmed, you can submit it.": "草稿已保存。邀请的联名委员确认后即可提交。",
    "Changes saved. When the proposal is ready, resubmit it with “Resubmit”.": "修改已保存。修改完成后，点击“重新提交”即可再次送审。",
    "Draft saved. When it is ready, submit it with “Submit”: it then gets its number and goes to the first review.":
        "草稿已保存。确认无误后点击“提交”，提案即获得编号并进入初审。",
})

ZH.update({
    "To do": "待办", "Following": "关注", "Updates": "动态", "Daily digest": "每日汇总",
    "At once in the inbox": "即时送达收件箱", "In the daily digest": "汇入每日动态", "Off": "关闭",
    "delivery": "送达方式", "digest": "汇总", "digest of": "汇总日期", "also by e-mail": "同时发送邮件",
    "notification preference": "通知设置", "notification preferences": "通知设置",
    "Unknown kind of notification.": "未知的通知类别。",
    "Choose at once, in the daily digest or off.": "请选择即时送达、汇入每日动态或关闭。",
    "To-dos are always delivered at once; only their e-mail can be turned off.": "待办总是即时送达，只能关闭其邮件。",
    "Today's updates (%(n)s)": "今日动态（%(n)s 条）", "%(kind)s (%(n)s)": "%(kind)s（%(n)s 条）",
    "… and %(n)s more": "……另有 %(n)s 条", "Mark read": "标为已读", "Open": "打开",
    "Notification settings": "通知设置", "Delivery": "送达方式",
    "To-dos are what you must act on; the bell counts them. Following: what you own or follow changed. Updates: "
    "everything else, for information. The daily digest groups a day's items into one message, 今日动态.":
        "待办是需要您办理的事项，铃铛上的数字即待办数；关注是您负责或关注的事项有了变化；动态是其余供您知悉的消息。"
        "每日动态把一天的消息汇成一条“今日动态”。",
    "At once in the inbox (cannot be turned off)": "即时送达收件箱（不能关闭）",
    "E-mail is sent for the messages the platform mails (assignments, reminders, overdue notices, replies to "
    "evaluate) and only for the kinds ticked here.":
        "平台对需要邮件提醒的消息（交办、到期提醒、逾期通知、待评价的答复）发送邮件，且只发送此处勾选的类别。",
    "%(n)s unread": "%(n)s 条未读", "Unread only": "只看未读", "Notification settings saved.": "通知设置已保存。",
    "%(n)s to do": "%(n)s 项待办",
})

ZH.update({
    "document code": "机关代字",
    "The unit's code (机关代字) in its document numbers: 京民 gives reply letters numbered 京民提复〔2026〕12号. "
    "Empty: the short name, else the name.":
        "本单位发文字号中的机关代字：填“京民”，答复函编号为“京民提复〔2026〕12号”。不填则用简称，无简称用全称。",
})

ZH.update({
    # the back office: labels that showed in English (our fields, other packages' models, permissions)
    "Sign-in attempts": "登录记录", "Background tasks": "后台任务",
    "access attempt": "登录尝试", "access attempts": "登录尝试", "access failure": "登录失败",
    "access failures": "登录失败", "access log": "登录日志", "access logs": "登录日志",
    "access attempt expiration": "登录尝试到期", "access attempt expirations": "登录尝试到期",
    "Access Attempt": "登录尝试", "Expires At": "到期时间",
    "The time when access attempt expires and is no longer valid.": "该登录尝试记录到期失效的时间。",
    "User Agent": "浏览器标识", "IP Address": "IP 地址", "Username": "用户名", "HTTP Accept": "HTTP Accept 请求头",
    "Path": "访问路径", "Attempt Time": "尝试时间", "Access lock out": "已锁定", "GET Data": "GET 数据",
    "POST Data": "POST 数据", "Failed Logins": "失败次数", "Logout Time": "退出时间",
    "Session key hash (sha256)": "会话密钥摘要（SHA-256）", "Locked Out": "已锁定", "Form Data": "表单数据",
    "Meta Data": "请求信息", "Clean up expired attempts": "清理已到期的登录尝试", "Not set": "未设置",
    "Attempt Remaining": "剩余尝试次数",
    "Task Result": "任务结果", "Task Results": "任务结果", "enqueued at": "入队时间", "started at": "开始时间",
    "finished at": "结束时间", "args kwargs": "调用参数", "priority": "优先级", "task path": "任务函数",
    "worker id": "工作进程", "queue name": "队列", "backend name": "后端", "run after": "最早运行时间",
    "return value": "返回值", "exception class path": "异常类型", "traceback": "错误堆栈",
    "Filter by %(field_name)s": "按%(field_name)s筛选",
    "Can add %(model)s": "可添加%(model)s", "Can change %(model)s": "可修改%(model)s",
    "Can delete %(model)s": "可删除%(model)s", "Can view %(model)s": "可查看%(model)s",
    "prefix": "前缀", "key hash": "密钥摘要", "created at": "创建时间", "last used at": "最近使用时间",
    "revoked at": "吊销时间", "object type": "对象类型", "object id": "对象编号", "progress done": "已完成",
    "progress total": "总量", "checkpoint": "断点状态", "attempts": "尝试次数", "last heartbeat": "最近心跳时间",
    "SHA-256 checksum": "SHA-256 校验值", "import job": "导入任务", "reassigned from": "原承办记录",
    "last reminded on": "最近提醒日期",
})

ZH.update({"Day: %(n)s": "日期：%(n)s", "Digests made: %(n)s": "生成汇总：%(n)s 份", "Notifications grouped: %(n)s": "汇总通知：%(n)s 条"})

# Role home pages, figures that equal their lists, the unit desk (core/selectors.py dashboard and the apps' providers).
ZH.update({
    "The committee": "委员会概况", "My record": "我的履职", "All jobs": "全部任务", "No job is running.": "没有运行中的任务。",
    "%(n)s days overdue": "逾期 %(n)s 天", "%(n)s day overdue": "逾期 %(n)s 天",
    "%(n)s days left": "还剩 %(n)s 天", "%(n)s day left": "还剩 %(n)s 天",
    "12345 tickets in my district, %(m)s": "本区12345工单（%(m)s）", "Rank among districts": "各区排名",
    "by composite score": "按综合得分", "Streets and townships rated": "参与排名的街乡镇",
    "satisfaction %(s)s · resolution %(r)s": "满意率 %(s)s · 解决率 %(r)s", "score %(n)s": "得分 %(n)s",
    "12345 in %(district)s, %(m)s": "%(district)s 12345（%(m)s）", "All streets and townships": "全部街乡镇",
    "No street or township of your district was rated this month.": "本月本区没有参与排名的街乡镇。",
    "12345 rates of my district per month": "本区12345三率月度走势", "12345 response rate, %(m)s": "12345响应率（%(m)s）",
    "12345 rates per month": "12345三率月度走势",
    "Received (submitted)": "收到（已提交）", "Under review": "审查中", "Filed (and later stages)": "立案（含已交办、已答复、办结）",
    "Replied or closed": "已答复或办结", "With a reply to approve": "有待审核答复", "With a request to decide": "有待决定的申请",
    "With an overdue handling": "有逾期承办", "Waiting for my co-signature": "待我联名确认",
    "My drafts awaiting co-signers": "待联名人确认的草稿", "With a reply for me to evaluate": "有待我评价的答复",
    "Countersign the lead unit's reply": "会签主办单位的答复", "Contact the proposer": "与提案人沟通",
    "Send your opinion to the lead unit": "向主办单位提出会办意见", "Draft the reply": "起草答复",
    "Report the result (follow-up reply)": "报告办理结果（跟踪答复）",
    "Waiting for the office to decide on re-assignment": "等待提案委决定是否调整承办单位",
    "Waiting for the co-units to countersign": "等待会办单位会签", "Waiting for the office to review the reply": "等待提案委审核答复",
    "waiting %(n)s days": "已等待 %(n)s 天", "Proposals received and replies sent per month": "每月收到提案与答复件数",
    "Replies sent": "答复件数", "Review queue": "审查队列", "All under review": "全部审查中提案", "Nothing waits for review.": "没有待审查的提案。",
    "Waiting for the first review": "待初审", "In first review": "初审中", "In second review": "复审中",
    "Assignment queue": "交办队列", "All filed, not yet assigned": "全部已立案待交办提案", "Nothing waits for assignment.": "没有待交办的提案。",
    "Filed, to assign": "已立案待交办", "reply rate %(r)s": "答复率 %(r)s", "Supervision (督办)": "督办",
    "No key proposal you supervise is overdue.": "您督办的重点提案没有逾期。", "Key proposals": "重点提案",
    "Key proposals I supervise": "我督办的重点提案", "Proposals to handle": "待办理的提案",
    "Nothing is waiting for your unit.": "本单位没有待办事项。", "Co-signing": "联名", "Evaluate the reply of %(unit)s": "评价%(unit)s的答复",
    "Revise and resubmit": "修改后重新提交", "Waiting for: %(names)s": "待确认：%(names)s", "Awaiting co-signers": "待联名确认",
    "Nothing waits for you.": "没有待您处理的事项。", "All my proposals": "我的全部提案", "You have not submitted a proposal yet.": "您还没有提交提案。",
    "Showing only": "仅显示", "Supervised by a leader": "领导督办", "more filters": "其他筛选条件", "Show all": "显示全部",
    "Open handling records past their due date, by unit; the longest overdue first.": "已过办理期限仍未答复的承办记录，按承办单位分组，逾期最久的在前。",
    "Replied, closed, or your opinion sent: the newest first.": "已答复、已办结或已提出会办意见的记录，最新的在前。",
    "%(n)s need your unit's action; they come first, the soonest due first. The rest wait for the office or the co-units.":
        "%(n)s 件需要本单位处理，排在最前，截止日期最近的在前；其余在等待提案委或会办单位。",
    "lead unit": "主办单位", "Read the proposal": "阅读提案", "Read the reply first": "先阅读答复", "How": "沟通方式",
    "What was discussed": "沟通内容", "Nothing to sign.": "没有待签收的提案。", "Done": "已办",
    "Monthly-topic list items": "每月一题清单事项", "Overdue list items": "逾期清单事项", "Monthly topics %(year)s": "%(year)s年每月一题",
    "No list item is overdue.": "没有逾期的清单事项。", "%(n)s overdue of %(items)s list items": "%(items)s 项清单事项中 %(n)s 项逾期",
    "List items done per topic month": "各月议题清单完成情况", "List items": "清单事项",
})

# hotline: import vocabulary, unknown columns and values, no-data rates, candidate evidence
ZH.update({
    "No such import.": "没有这个导入任务。",
    "Other kind": "其他类型",
    "Save the mapping as": "映射保存为",
    "(not imported)": "（不导入）",
    "Map at least one column to a field.": "请至少把一列对应到一个字段。",
    "Each field can be mapped to one column only.": "每个字段只能对应一列。",
    "Columns not recognised: %(cols)s; name them in a saved column mapping (import source).":
        "未识别的列：%(cols)s；请在保存的列映射（导入来源）中指定。",
    "districts": "区",
    "streets and townships": "街道乡镇",
    "communities": "社区",
    "The database has no %(what)s yet, so the file's places cannot be matched: run `minsheng load_areas` (or `make setup`), then import the file again.":
        "数据库中还没有%(what)s数据，无法匹配文件中的地点：请先运行 `minsheng load_areas`（或 `make setup`），再重新导入该文件。",
    "The kind is empty (咨询, 求助, 投诉, 举报 or 建议).": "诉求类型为空（应为咨询、求助、投诉、举报或建议）。",
    "values as in the file": "文件原值",
    "With a response flag": "有响应标记",
    "An import source needs a name of at most 80 characters.": "导入来源需要名称，且不超过80个字符。",
    "Only a finished import can be run again with a mapping.": "只有已结束的导入才能按映射重新导入。",
    "The file has no column %(cols)s.": "文件中没有列：%(cols)s。",
    "Mapped on the import page": "在导入结果页设置的映射",
    "Imported again with a column mapping; the %(n)s tickets of this import were replaced.":
        "已按列映射重新导入；本次导入的 %(n)s 件工单已被替换。",
    "See the new import": "查看新的导入",
    "These columns were not imported: their headers name no field the importer knows.":
        "以下列未导入：其列名不对应任何可导入字段。",
    "Column in the file": "文件中的列",
    "Import it as": "导入为",
    "Save the mapping and import again": "保存映射并重新导入",
    "The tickets this import wrote are replaced by those of the new import; tickets that were already present stay as they are.":
        "本次导入写入的工单将由新的导入替换；导入前已存在的工单保持不变。",
    "Values the importer did not know": "未识别的取值",
    "These rows were imported with the value shown; the file's own value is kept on each ticket.":
        "这些行已按所示取值导入；文件中的原值保存在各工单上。",
    "Column": "列",
    "Value in the file": "文件中的值",
    "Imported as": "导入为",
    "Rows": "行数",
    "Growth": "增长",
    "No data": "无数据",
    "derived from the other columns": "由其他列推定",
    "unknown": "未知",
    "Nothing to map.": "没有需要映射的列。",
    "Mapping saved; the file is being imported again.": "映射已保存，正在重新导入该文件。",
})

ZH.update({"Proposals with a reply to evaluate": "有待评价答复的提案"})

ZH.update({"Next step": "下一步"})

ZH.update({"changed notification settings": "修改了通知设置"})

ZH.update({"Notifications to act on": "待办通知"})

ZH.update({"As in the file": "文件原值"})

ZH.update({"No tickets were imported for this month": "本月没有导入任何工单", "no data": "无数据"})

ZH.update({"The first 50 of %(n)s groups.": "仅显示前 50 个，共 %(n)s 个。"})
