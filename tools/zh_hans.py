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
