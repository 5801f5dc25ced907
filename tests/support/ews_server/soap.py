"""SOAP envelopes and EWS response elements (shapes as in the EWS reference, Exchange 2016)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
M_NS = "http://schemas.microsoft.com/exchange/services/2006/messages"
T_NS = "http://schemas.microsoft.com/exchange/services/2006/types"
E_NS = "http://schemas.microsoft.com/exchange/services/2006/errors"

SERVER_VERSION = (
    '<h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" '
    'MinorBuildNumber="6" Version="V2017_07_11" '
    f'xmlns:h="{T_NS}" xmlns="{T_NS}" />'
)


def envelope(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{SOAP_NS}">'
        f"<s:Header>{SERVER_VERSION}</s:Header>"
        f'<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:xsd="http://www.w3.org/2001/XMLSchema">{body}</s:Body>'
        "</s:Envelope>"
    ).encode()


def operation_response(operation: str, messages: list[str]) -> bytes:
    return envelope(
        f'<m:{operation}Response xmlns:m="{M_NS}" xmlns:t="{T_NS}">'
        f"<m:ResponseMessages>{''.join(messages)}</m:ResponseMessages>"
        f"</m:{operation}Response>"
    )


def success(operation: str, inner: str = "") -> str:
    return (
        f'<m:{operation}ResponseMessage ResponseClass="Success">'
        f"<m:ResponseCode>NoError</m:ResponseCode>{inner}</m:{operation}ResponseMessage>"
    )


def error(operation: str, code: str, text: str, inner: str = "", *, level: str = "Error") -> str:
    return (
        f'<m:{operation}ResponseMessage ResponseClass="{level}">'
        f"<m:MessageText>{escape(text)}</m:MessageText>"
        f"<m:ResponseCode>{code}</m:ResponseCode>"
        f"<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>{inner}"
        f"</m:{operation}ResponseMessage>"
    )


def server_busy_fault(back_off_ms: int) -> bytes:
    """What Exchange answers (HTTP 500) when a caller exceeds its throttling budget."""
    text = "The server cannot service this request right now. Try again later."
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><s:Fault>'
        f'<faultcode xmlns:a="{T_NS}">a:ErrorServerBusy</faultcode>'
        f'<faultstring xml:lang="en-US">{text}</faultstring>'
        "<detail>"
        f'<e:ResponseCode xmlns:e="{E_NS}">ErrorServerBusy</e:ResponseCode>'
        f'<e:Message xmlns:e="{E_NS}">{text}</e:Message>'
        f'<t:MessageXml xmlns:t="{T_NS}">'
        f'<t:Value Name="BackOffMilliseconds">{back_off_ms}</t:Value>'
        "</t:MessageXml></detail></s:Fault></s:Body></s:Envelope>"
    ).encode()


def schema_fault(message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><s:Fault>'
        f'<faultcode xmlns:a="{T_NS}">a:ErrorInvalidRequest</faultcode>'
        f"<faultstring>{escape(message)}</faultstring>"
        "<detail>"
        f'<e:ResponseCode xmlns:e="{E_NS}">ErrorInvalidRequest</e:ResponseCode>'
        f'<e:Message xmlns:e="{E_NS}">{escape(message)}</e:Message>'
        "</detail></s:Fault></s:Body></s:Envelope>"
    ).encode()


IIS_500_PAGE = (
    b"<html><head><title>Runtime Error</title></head><body>"
    b"<h1>Server Error in '/EWS' Application.</h1><h2><i>Runtime Error</i></h2>"
    b"</body></html>"
)


def attr(value: str) -> str:
    return quoteattr(value)


def text(value: str) -> str:
    return escape(value)


AUTODISCOVER_NS = "http://schemas.microsoft.com/exchange/2010/Autodiscover"
ADDRESSING_NS = "http://www.w3.org/2005/08/addressing"
SCHEMAS = "Exchange2007, Exchange2007_SP1, Exchange2010, Exchange2010_SP1, Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2015, Exchange2016"  # noqa: E501


def autodiscover_response(request: bytes, address: str, ews_url: str) -> bytes:
    """SOAP autodiscover GetUserSettings: the EWS URL and schemas for our mailbox; any other
    address is an InvalidUser (as Exchange answers for an unknown mailbox)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(request, parser)
    asked = [(m.text or "").strip() for m in root.iter(f"{{{AUTODISCOVER_NS}}}Mailbox")]
    users = []
    for user in asked:
        if user.lower() != address.lower():
            users.append(
                "<UserResponse><ErrorCode>InvalidUser</ErrorCode>"
                f"<ErrorMessage>Invalid user: '{escape(user)}'</ErrorMessage>"
                '<RedirectTarget i:nil="true"/><UserSettingErrors/><UserSettings/>'
                "</UserResponse>"
            )
            continue
        settings = {
            "AutoDiscoverSMTPAddress": address,
            "ExternalEwsUrl": ews_url,
            "InternalEwsUrl": ews_url,
            "EwsSupportedSchemas": SCHEMAS,
        }
        values = "".join(
            f'<UserSetting i:type="StringSetting"><Name>{name}</Name>'
            f"<Value>{escape(value)}</Value></UserSetting>"
            for name, value in settings.items()
        )
        users.append(
            "<UserResponse><ErrorCode>NoError</ErrorCode><ErrorMessage>No error.</ErrorMessage>"
            '<RedirectTarget i:nil="true"/><UserSettingErrors/>'
            f"<UserSettings>{values}</UserSettings></UserResponse>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<s:Envelope xmlns:s="{SOAP_NS}" xmlns:a="{ADDRESSING_NS}"><s:Header>'
        '<a:Action s:mustUnderstand="1">http://schemas.microsoft.com/exchange/2010/'
        "Autodiscover/Autodiscover/GetUserSettingsResponse</a:Action>"
        f'<h:ServerVersionInfo xmlns:h="{AUTODISCOVER_NS}" '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><h:MajorVersion>15'
        "</h:MajorVersion><h:MinorVersion>1</h:MinorVersion><h:MajorBuildNumber>2507"
        "</h:MajorBuildNumber><h:MinorBuildNumber>6</h:MinorBuildNumber>"
        "<h:Version>Exchange2015</h:Version></h:ServerVersionInfo></s:Header><s:Body>"
        f'<GetUserSettingsResponseMessage xmlns="{AUTODISCOVER_NS}">'
        '<Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        "<ErrorCode>NoError</ErrorCode><ErrorMessage/>"
        f"<UserResponses>{''.join(users)}</UserResponses>"
        "</Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>"
    ).encode()
