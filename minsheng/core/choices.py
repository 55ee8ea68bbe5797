"""Statuses and vocabularies of the core app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")  # 机关工作人员: plans, reviews, assigns, supervises
    LEADER = "leader", _("Leader")  # 领导: approves, supervises key items, writes instructions
    MEMBER = "member", _("Member")  # 委员: drafts proposals, reports opinions, joins groups
    UNIT_HANDLER = "unit_handler", _("Unit handler")  # 承办单位: handles what is assigned to the unit
    DISTRICT_STAFF = "district_staff", _("District staff")  # 区政协: workstations, council halls


class SectorCategory(models.TextChoices):
    PARTY = "party", _("Political party")  # 政党
    ORGANISATION = "organisation", _("People's organisation")  # 人民团体
    PROFESSIONAL = "professional", _("Professional sector")  # 专业界别
    INVITED = "invited", _("Specially invited")  # 特邀


class PartyKind(models.TextChoices):
    CPC = "cpc", _("Communist Party of China")
    DEMOCRATIC = "democratic", _("Democratic party")
    NONPARTY = "nonparty", _("Non-party")
    ORGANISATION = "organisation", _("People's organisation")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Serving")  # 在任
    SUSPENDED = "suspended", _("Suspended")  # 暂停履职
    LEFT = "left", _("Left")  # 离任


class UnitKind(models.TextChoices):
    PARTY_MASS = "party_mass", _("Party and mass organisation")  # 党群
    GOVERNMENT = "government", _("Government")  # 政府
    PEOPLES_CONGRESS = "peoples_congress", _("People's congress")  # 人大
    CPPCC = "cppcc", _("CPPCC")  # 政协
    COURT = "court", _("Court")  # 法院
    PROCURATORATE = "procuratorate", _("Procuratorate")  # 检察院
    DISTRICT = "district", _("District government")  # 区政府
    STREET = "street", _("Street or township")  # 街道 / 乡镇
    ENTERPRISE = "enterprise", _("Public-service enterprise")  # 公共服务企业
    OTHER = "other", _("Other")


class Organ(models.TextChoices):
    """The 'big organ' a handling unit belongs to."""

    PARTY_COMMITTEE = "party_committee", _("Municipal Party committee")  # 市委
    PEOPLES_CONGRESS = "peoples_congress", _("Municipal People's Congress")  # 人大
    GOVERNMENT = "government", _("Municipal government")  # 政府
    CPPCC = "cppcc", _("Municipal CPPCC")  # 政协
    COURT = "court", _("Court")  # 法院
    PROCURATORATE = "procuratorate", _("Procuratorate")  # 检察院


class AreaLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street or township")
    COMMUNITY = "community", _("Community or village")


class TagKind(models.TextChoices):
    SEVEN_HAVES = "seven_haves", _("Seven haves (七有)")
    FIVE_QUALITIES = "five_qualities", _("Five qualities (五性)")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")  # a weekday off: 法定节假日 or 调休 rest day
    WORKDAY = "workday", _("Make-up workday")  # a weekend day worked: 调休上班


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")
    HOURS = "hours", _("hours")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for a worker
    RUNNING = "running", _("Running")  # a runner holds it
    SUCCEEDED = "succeeded", _("Succeeded")  # finished; result is final
    FAILED = "failed", _("Failed")  # stopped on an error; may be run again and resumes
    CANCELLED = "cancelled", _("Cancelled")  # stopped by a person


JOB_OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)
JOB_TERMINAL = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
