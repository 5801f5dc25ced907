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
