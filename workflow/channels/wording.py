"""What the emails say: Thai, with English from the Babel catalogue the web pages use.

The catalogue's message ids are the Thai texts themselves (web/translations; ``scripts/i18n`` extracts the
ones marked ``_l`` here and in the email templates). An email is worded in its recipient's language when
it is queued (subject and lead) and rendered in it when it is sent (the templates' ``_()``).
"""

from __future__ import annotations

import functools
from datetime import date

from babel.support import NullTranslations, Translations
from flask import current_app
from flask_babel import get_babel

from workflow.thaidate import digits, format_be


def _l(text: str) -> str:
    """Marks a text for the catalogue (extracted by ``scripts/i18n``); translated later, by ``say``."""
    return text


#: wording key -> (subject, lead); %(name)s placeholders are filled from the queued parameters
WORDING: dict[str, tuple[str, str]] = {
    "step_opened": (_l("ถึงคิวของท่าน: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                    _l("ขั้นตอนนี้เปิดให้ดำเนินการแล้ว")),
    "review_waiting": (_l("รอตรวจสอบ: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                       _l("มีงานรอท่านตรวจสอบความถูกต้อง อนุมัติหรือส่งกลับพร้อมเหตุผลได้ที่รายการรออนุมัติ")),
    "sent_back": (_l("ส่งกลับแก้ไข: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                  _l("%(by)s ส่งกลับให้แก้ไข เหตุผล: %(reason)s")),
    "due_moved": (_l("เลื่อนกำหนด: มาตรการ %(code)s ขั้นตอนที่ %(number)s เป็นวันที่ %(day)s"),
                  _l("กำหนดส่งของขั้นตอนนี้เปลี่ยนจาก %(before)s เป็น %(day)s เหตุผล: %(reason)s")),
    "approved": (_l("ผ่านการตรวจสอบ: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                 _l("ผู้อำนวยการกลุ่มตรวจสอบและอนุมัติแล้ว")),
    "reminder": (_l("ใกล้ครบกำหนด (%(days)s วันทำการ): มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                 _l("ขั้นตอนนี้จะครบกำหนดในอีก %(days)s วันทำการ")),
    "due_today": (_l("ครบกำหนดวันนี้: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                  _l("ขั้นตอนนี้ครบกำหนดวันนี้")),
    "overdue": (_l("เลยกำหนด: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                _l("ขั้นตอนนี้เลยกำหนดแล้ว %(late)s วันทำการ กรุณาดำเนินการหรือแจ้งเหตุขัดข้อง")),
    "escalation": (_l("ค้างเกินกำหนด %(late)s วันทำการ: มาตรการ %(code)s ขั้นตอนที่ %(number)s"),
                   _l("ขั้นตอนในกลุ่มของท่านเลยกำหนดมา %(late)s วันทำการ ผู้รับผิดชอบ: %(owners)s")),
    "special_deadline": (_l("กำหนดส่งวันนี้: มาตรการ %(code)s %(title)s"),
                         _l("%(title)s ครบกำหนดวันนี้ (%(day)s)")),
    "special_deadline_soon": (_l("กำหนดส่งในอีก %(days)s วันทำการ: มาตรการ %(code)s %(title)s"),
                              _l("%(title)s ครบกำหนดในอีก %(days)s วันทำการ (%(day)s)")),
    "period_end": (_l("สิ้นสุดระยะเวลาดำเนินการ: มาตรการ %(code)s"),
                   _l("มาตรการ %(code)s สิ้นสุดระยะเวลาดำเนินการ %(day)s ยังมี %(open)s ขั้นตอนที่ไม่เสร็จ")),
    "round_report": (_l("รายงานการติดตามครั้งที่ %(number)s (%(day)s): เสร็จ %(percent)s%%"), ""),
    "round_items": (_l("งานที่ต้องรายงานในการติดตามครั้งที่ %(number)s"),
                    _l("การติดตามครั้งที่ %(number)s วันที่ %(day)s ขอให้รายงานความคืบหน้าของงานต่อไปนี้")),
    "rollup_weekly": (_l("หน่วยงานในสังกัดที่ล่าช้า %(behind)s จาก %(total)s แห่ง (%(day)s)"),
                      _l("หน่วยงานในสังกัดต่อไปนี้มีขั้นตอนเลยกำหนดหรือยังไม่ได้นำเข้ามาตรการ เรียงจากที่ล่าช้ามากที่สุด")),
    "acting_assigned": (_l("ท่านรักษาราชการแทน %(position)s %(first)s ถึง %(last)s"),
                        _l("ท่านได้รับมอบหมายให้รักษาราชการแทน %(name)s (%(position)s) ตั้งแต่ %(first)s ถึง %(last)s "
                           "ระหว่างนี้งานตรวจสอบของกลุ่มที่ท่านรักษาราชการแทนจะอยู่ในรายการรออนุมัติของท่าน และการแจ้งเตือนถึง"
                           "ผู้ที่ไม่อยู่จะส่งถึงท่าน ทุกการดำเนินการจะบันทึกว่ารักษาราชการแทน รอตรวจสอบอยู่ขณะนี้ %(count)s รายการ")),
    "absence_recorded": (_l("%(name)s ไม่อยู่ %(first)s ถึง %(last)s: งานที่ครบกำหนด %(count)s ขั้นตอน"),
                         _l("%(name)s ไม่อยู่ตั้งแต่ %(first)s ถึง %(last)s และไม่มีผู้รักษาราชการแทน ขั้นตอนต่อไปนี้ของผู้ที่ไม่อยู่ครบกำหนด"
                            "ในช่วงนั้นหรือเลยกำหนดแล้ว มอบหมายผู้รับผิดชอบใหม่ได้ที่หน้าขั้นตอน")),
    "absence_recorded_acting": (_l("%(name)s ไม่อยู่ %(first)s ถึง %(last)s: %(acting)s รักษาราชการแทน"),
                                _l("%(name)s ไม่อยู่ตั้งแต่ %(first)s ถึง %(last)s โดย %(acting)s รักษาราชการแทน "
                                   "ขั้นตอนต่อไปนี้ของผู้ที่ไม่อยู่ครบกำหนดในช่วงนั้นหรือเลยกำหนดแล้ว "
                                   "มอบหมายผู้รับผิดชอบใหม่ได้ที่หน้าขั้นตอน หากจำเป็น")),
    "invitation": (_l("ตั้งรหัสผ่านเพื่อเข้าใช้ระบบติดตามมาตรการ ITA ของ %(agency)s"),
                   _l("ท่านได้รับเชิญให้เข้าใช้ระบบติดตามมาตรการ ITA กรุณาตั้งรหัสผ่านของท่านเองด้วยลิงก์ด้านล่าง")),
    "second_factor_added": (_l("เพิ่มการยืนยันตัวตนขั้นที่สองในบัญชีของท่านแล้ว"),
                            _l("บัญชีของท่านมีวิธียืนยันตัวตนขั้นที่สองเพิ่มขึ้น ต่อไปการเข้าสู่ระบบจะถามรหัสผ่านและวิธีนี้")),
    "second_factor_removed": (_l("ลบการยืนยันตัวตนขั้นที่สองออกจากบัญชีของท่านแล้ว"),
                              _l("วิธียืนยันตัวตนขั้นที่สองวิธีหนึ่งถูกลบออกจากบัญชีของท่าน")),
    "recovery_code_used": (_l("มีการใช้รหัสกู้คืนเข้าสู่ระบบบัญชีของท่าน"),
                           _l("มีผู้เข้าสู่ระบบบัญชีของท่านด้วยรหัสผ่านและรหัสกู้คืนหนึ่งรหัส รหัสนั้นใช้ซ้ำไม่ได้แล้ว")),
    "second_factor_reset": (_l("ผู้ดูแลระบบล้างการยืนยันตัวตนขั้นที่สองของบัญชีท่าน"),
                            _l("ผู้ดูแลระบบของหน่วยงานล้างแอปยืนยันตัวตน รหัสกู้คืน และพาสคีย์ทั้งหมดของบัญชีท่าน "
                               "ท่านจะตั้งค่าใหม่ได้เมื่อเข้าสู่ระบบครั้งถัดไป")),
    "digest": (_l("สรุปการแจ้งเตือนประจำวัน %(day)s"), _l("รายการแจ้งเตือนของท่าน %(count)s รายการ")),
    "links_broken": (_l("ลิงก์ในแบบตอบ ITAS ใช้ไม่ได้ %(count)s ลิงก์ (%(day)s)"),
                     _l("ผู้ประเมินจะเปิดลิงก์ต่อไปนี้ไม่ได้ กรุณาแก้ไขก่อนส่งแบบตอบ ITAS")),
    "line_failed": (_l("ข้อความ LINE ส่งไม่ได้ %(count)s ข้อความ"),
                    _l("LINE ไม่รับข้อความต่อไปนี้ ดูเหตุผลที่หน้า คิวอีเมลและ LINE การแจ้งเตือนทางอีเมลยังส่งตามปกติ")),
    "line_token_refused": (_l("LINE ไม่รับ Channel access token ของหน่วยงาน: หยุดส่งข้อความ LINE"),
                           _l("ข้อความ LINE ที่ส่งไม่ได้ %(count)s ข้อความ การแจ้งเตือนทางอีเมลยังส่งตามปกติ "
                              "ผู้ดูแลระบบออก token ใหม่ใน LINE Developers แล้วใส่ที่หน้า ตั้งค่า LINE")),
}


def language_of(person) -> str:
    """The language a person reads their email in: their choice, Thai unless it is English."""
    return "en" if getattr(person, "language", None) == "en" else "th"


@functools.cache
def _load(lang: str, directories: tuple[str, ...]) -> NullTranslations:
    translations: NullTranslations = NullTranslations()
    for directory in directories:
        found = Translations.load(directory, [lang])
        if isinstance(found, Translations):
            translations = found if not isinstance(translations, Translations) else translations.merge(found)
    return translations


def catalogue(lang: str) -> NullTranslations:
    """The web's catalogue for a language, loaded once per process (Thai: the ids themselves)."""
    return _load(lang, tuple(get_babel(current_app).translation_directories))


def say(key: str, lang: str, params: dict) -> tuple[str, str]:
    """(subject, lead) of a wording key in a language. Dates and numbers among the parameters are written the
    way that language writes them: in Thai, BE dates and the office's digits (``ITAFLOW_DIGITS``) for numbers
    and measure codes too, as on the pages; in English, Arabic digits and BE years."""
    values = {name: _value(name, value, lang) for name, value in params.items()}
    translations = catalogue(lang)
    subject, lead = WORDING[key]
    said = translations.gettext(subject) % values
    if params.get("month") is not None:  # an occurrence of a monthly step: which month, in the subject too
        from workflow.vocabulary import month_words

        said += f" ({month_words(params['month'], lang, current_app.config['ITAFLOW'].digits)})"
    return said, translations.gettext(lead) % values if lead else ""


#: parameters that hold a number or a measure code written with digits (the rest is people's own text)
NUMERIC = frozenset({"code", "number", "days", "late", "open", "percent", "count", "behind", "total"})


def number(value, lang: str) -> str:
    """A number or a measure code in a language's digits (the templates' ``num`` filter)."""
    return str(value) if lang == "en" else digits(str(value), current_app.config["ITAFLOW"].digits)


def _value(name: str, value, lang: str):
    if isinstance(value, date):
        if lang == "en":
            return format_be(value, digit_style="arabic", lang="en")
        return format_be(value, digit_style=current_app.config["ITAFLOW"].digits)
    return number(value, lang) if name in NUMERIC else value
