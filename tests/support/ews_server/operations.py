"""The EWS operations exchangelib sends for our adapter, answered over the in-memory Store."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lxml import etree

from tests.support.ews_server.soap import (
    M_NS,
    SOAP_NS,
    T_NS,
    attr,
    error,
    operation_response,
    success,
    text,
)
from tests.support.ews_server.store import Folder, InvalidSyncState, Item, Store
from tests.support.exchange_profile import Behaviour, is_smime

M = f"{{{M_NS}}}"
T = f"{{{T_NS}}}"


NO_FOLDER = "The specified folder could not be found in the store."
BAD_STATE = "Synchronization state data is corrupt or otherwise invalid."
NO_RECIPIENTS = "At least one recipient isn't valid."
ONLY_MIME = "This test server only accepts messages as MimeContent."
FOLDER_EXISTS = "A folder with the specified name already exists."
# Exchange's SyncFolderItems errors still carry (empty) sync elements; exchangelib reads them.
EMPTY_SYNC = "<m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>"


class UnsupportedOperation(Exception):
    pass


def operation_name(body: etree._Element) -> str:
    first = next(iter(body), None)
    if first is None:
        raise UnsupportedOperation("empty SOAP body")
    return etree.QName(first).localname


def parse_request(data: bytes) -> tuple[str, etree._Element, etree._Element | None]:
    """The operation name, its element and the SOAP header."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(data, parser)
    body = root.find(f"{{{SOAP_NS}}}Body")
    if body is None:
        raise UnsupportedOperation("no SOAP body")
    header = root.find(f"{{{SOAP_NS}}}Header")
    element = body[0]
    return etree.QName(element).localname, element, header


# Response texts as Exchange words them (ResponseCodeType in the EWS reference).
MIME_FAILED = "Content conversion failed."
CORRUPT = "The item is corrupt."
BATCH_STOPPED = (
    "The batch processing was stopped because an error occurred in an earlier item in the batch."
)
# Asking for these reads the item's content; a corrupt item fails them.
CONTENT_FIELDS = frozenset({"item:MimeContent", "item:Body", "item:Attachments"})


class Operations:
    def __init__(self, store: Store, behaviour: Callable[[], Behaviour] = Behaviour) -> None:
        self.store = store
        self.behaviour = behaviour
        self.handlers: dict[str, Callable[[etree._Element], bytes]] = {
            "GetFolder": self.get_folder,
            "FindFolder": self.find_folder,
            "CreateFolder": self.create_folder,
            "SyncFolderItems": self.sync_folder_items,
            "GetItem": self.get_item,
            "CreateItem": self.create_item,
            "SendItem": self.send_item,
            "GetAttachment": self.get_attachment,
            "UpdateItem": self.update_item,
            "MoveItem": self.move_item,
            "FindItem": self.find_item,
            "ResolveNames": self.resolve_names,
            "ConvertId": self.convert_id,
        }

    def handle(self, name: str, element: etree._Element) -> bytes:
        handler = self.handlers.get(name)
        if handler is None:
            raise UnsupportedOperation(name)
        self.store.file_due()
        return handler(element)

    # --- folders -------------------------------------------------------------------------

    def _folder_ref(self, element: etree._Element) -> Folder | None:
        """A folder from a DistinguishedFolderId or FolderId element."""
        tag = etree.QName(element).localname
        folder_id = element.get("Id", "")
        try:
            if tag == "DistinguishedFolderId":
                return self.store.folders_by_name(folder_id)
            if tag == "FolderId":
                return self.store.folder(folder_id)
        except KeyError:
            return None
        return None

    def _folder_xml(self, folder: Folder) -> str:
        parent = (
            f"<t:ParentFolderId Id={attr(folder.parent_id)} ChangeKey={attr(folder.changekey)}/>"
            if folder.parent_id
            else ""
        )
        return (
            "<t:Folder>"
            f"<t:FolderId Id={attr(folder.id)} ChangeKey={attr(folder.changekey)}/>"
            f"{parent}<t:FolderClass>{folder.folder_class}</t:FolderClass>"
            f"<t:DisplayName>{text(folder.name)}</t:DisplayName>"
            f"<t:TotalCount>{len(folder.item_ids)}</t:TotalCount>"
            f"<t:ChildFolderCount>{len(self.store.children(folder.id))}</t:ChildFolderCount>"
            "<t:UnreadCount>0</t:UnreadCount>"
            "</t:Folder>"
        )

    def get_folder(self, element: etree._Element) -> bytes:
        ids = element.find(f"{M}FolderIds")
        messages = []
        for ref in ids if ids is not None else []:
            folder = self._folder_ref(ref)
            if folder is None:
                messages.append(
                    error(
                        "GetFolder",
                        "ErrorFolderNotFound",
                        NO_FOLDER,
                        "<m:Folders/>",
                    )
                )
            else:
                messages.append(
                    success("GetFolder", f"<m:Folders>{self._folder_xml(folder)}</m:Folders>")
                )
        return operation_response("GetFolder", messages)

    def find_folder(self, element: etree._Element) -> bytes:
        parents = element.find(f"{M}ParentFolderIds")
        traversal = element.get("Traversal", "Shallow")
        wanted_name = _restriction_value(element.find(f"{M}Restriction"), "folder:DisplayName")
        messages = []
        for ref in parents if parents is not None else []:
            parent = self._folder_ref(ref)
            if parent is None:
                messages.append(
                    error(
                        "FindFolder",
                        "ErrorFolderNotFound",
                        NO_FOLDER,
                    )
                )
                continue
            found = self._descendants(parent.id, deep=traversal == "Deep")
            if wanted_name is not None:
                found = [f for f in found if f.name == wanted_name]
            body = "".join(self._folder_xml(f) for f in found)
            messages.append(
                success(
                    "FindFolder",
                    f'<m:RootFolder IndexedPagingOffset="{len(found)}" '
                    f'TotalItemsInView="{len(found)}" IncludesLastItemInRange="true">'
                    f"<t:Folders>{body}</t:Folders></m:RootFolder>",
                )
            )
        return operation_response("FindFolder", messages)

    def _descendants(self, parent_id: str, *, deep: bool) -> list[Folder]:
        result = []
        for child in self.store.children(parent_id):
            result.append(child)
            if deep:
                result.extend(self._descendants(child.id, deep=True))
        return result

    def create_folder(self, element: etree._Element) -> bytes:
        parent_el = element.find(f"{M}ParentFolderId")
        parent = self._folder_ref(parent_el[0]) if parent_el is not None else None
        messages = []
        folders = element.find(f"{M}Folders")
        for folder_el in folders if folders is not None else []:
            name = folder_el.findtext(f"{T}DisplayName") or ""
            if parent is None:
                messages.append(
                    error(
                        "CreateFolder",
                        "ErrorParentFolderNotFound",
                        "Parent folder not found.",
                        "<m:Folders/>",
                    )
                )
                continue
            try:
                folder = self.store.create_folder(parent.id, name)
            except FileExistsError:
                messages.append(
                    error(
                        "CreateFolder",
                        "ErrorFolderExists",
                        FOLDER_EXISTS,
                        "<m:Folders/>",
                    )
                )
                continue
            messages.append(
                success(
                    "CreateFolder",
                    f"<m:Folders><t:Folder><t:FolderId Id={attr(folder.id)} "
                    f"ChangeKey={attr(folder.changekey)}/></t:Folder></m:Folders>",
                )
            )
        return operation_response("CreateFolder", messages)

    # --- items ---------------------------------------------------------------------------

    def sync_folder_items(self, element: etree._Element) -> bytes:
        ref_parent = element.find(f"{M}SyncFolderId")
        folder = self._folder_ref(ref_parent[0]) if ref_parent is not None else None
        if folder is None:
            msg = error("SyncFolderItems", "ErrorFolderNotFound", NO_FOLDER, EMPTY_SYNC)
            return operation_response("SyncFolderItems", [msg])
        state = element.findtext(f"{M}SyncState") or None
        limit = int(element.findtext(f"{M}MaxChangesReturned") or "512")
        fields = _requested_fields(element.find(f"{M}ItemShape"))
        try:
            changes, new_state, done = self.store.sync(folder.id, state, limit)
        except InvalidSyncState:
            msg = error("SyncFolderItems", "ErrorInvalidSyncStateData", BAD_STATE, EMPTY_SYNC)
            return operation_response("SyncFolderItems", [msg])
        parts = []
        for change in changes:
            if change.kind == "Delete":
                parts.append(f"<t:Delete><t:ItemId Id={attr(change.item_id)}/></t:Delete>")
            else:
                assert change.item is not None
                parts.append(f"<t:{change.kind}>{_item_xml(change.item, fields)}</t:{change.kind}>")
        inner = (
            f"<m:SyncState>{text(new_state)}</m:SyncState>"
            f"<m:IncludesLastItemInRange>{'true' if done else 'false'}</m:IncludesLastItemInRange>"
            f"<m:Changes>{''.join(parts)}</m:Changes>"
        )
        return operation_response("SyncFolderItems", [success("SyncFolderItems", inner)])

    def get_item(self, element: etree._Element) -> bytes:
        fields = _requested_fields(element.find(f"{M}ItemShape"))
        ids = element.find(f"{M}ItemIds")
        behaviour = self.behaviour()
        messages = []
        stopped = False
        for ref in ids if ids is not None else []:
            item = self.store.items.get(ref.get("Id", ""))
            failure = None if item is None else self._read_failure(item, fields, behaviour)
            if stopped:
                # A warning, not an error, in Exchange's answers.
                messages.append(
                    error("GetItem", "ErrorBatchProcessingStopped", BATCH_STOPPED, level="Warning")
                )
            elif item is None:
                messages.append(_item_not_found("GetItem"))
            elif failure is not None:
                messages.append(error("GetItem", failure[0], failure[1], "<m:Items/>"))
                stopped = behaviour.batch_stops_after_error
            else:
                messages.append(success("GetItem", f"<m:Items>{_item_xml(item, fields)}</m:Items>"))
        return operation_response("GetItem", messages)

    @staticmethod
    def _read_failure(item: Item, fields: set[str], behaviour: Behaviour) -> tuple[str, str] | None:
        if item.corrupt and fields & CONTENT_FIELDS:
            return "ErrorItemCorrupt", CORRUPT
        if "item:MimeContent" in fields and behaviour.smime_mime_fails and is_smime(item.mime):
            return "ErrorMimeContentConversionFailed", MIME_FAILED
        return None

    def get_attachment(self, element: etree._Element) -> bytes:
        ids = element.find(f"{M}AttachmentIds")
        messages = []
        for ref in ids if ids is not None else []:
            found = _attachment(self.store, ref.get("Id", ""))
            if found is None:
                messages.append(
                    error(
                        "GetAttachment",
                        "ErrorInvalidIdMalformed",
                        "Id is malformed.",
                        "<m:Attachments/>",
                    )
                )
                continue
            attachment_id, name, content_type, data = found
            body = (
                f"<t:FileAttachment><t:AttachmentId Id={attr(attachment_id)}/>"
                f"<t:Name>{text(name)}</t:Name><t:ContentType>{text(content_type)}</t:ContentType>"
                f"<t:Size>{len(data)}</t:Size>"
                f"<t:Content>{base64.b64encode(data).decode()}</t:Content></t:FileAttachment>"
            )
            messages.append(success("GetAttachment", f"<m:Attachments>{body}</m:Attachments>"))
        return operation_response("GetAttachment", messages)

    def create_item(self, element: etree._Element) -> bytes:
        disposition = element.get("MessageDisposition", "SaveOnly")
        saved = element.find(f"{M}SavedItemFolderId")
        target = self._folder_ref(saved[0]) if saved is not None and len(saved) else None
        items = element.find(f"{M}Items")
        messages = []
        for message in items if items is not None else []:
            mime_b64 = message.findtext(f"{T}MimeContent")
            if not mime_b64:
                messages.append(
                    error(
                        "CreateItem",
                        "ErrorInvalidRequest",
                        ONLY_MIME,
                        "<m:Items/>",
                    )
                )
                continue
            mime = base64.b64decode(mime_b64)
            recipients = _recipients(message) or _mime_recipients(mime)
            if disposition == "SaveOnly":
                folder = target or self.store.folders_by_name("drafts")
                item = self.store.add_item(folder.id, mime)
                messages.append(
                    success("CreateItem", f"<m:Items>{_item_xml(item, {'item:ItemId'})}</m:Items>")
                )
                continue
            if not recipients:
                messages.append(
                    error(
                        "CreateItem",
                        "ErrorInvalidRecipients",
                        "At least one recipient isn't valid.",
                        "<m:Items/>",
                    )
                )
                continue
            save_in = None
            if disposition == "SendAndSaveCopy":
                save_in = (target or self.store.folders_by_name("sentitems")).id
            self.store.send(mime, recipients, save_in, self.behaviour().sent_items_delay)
            messages.append(success("CreateItem", "<m:Items/>"))
        return operation_response("CreateItem", messages)

    def send_item(self, element: etree._Element) -> bytes:
        save = element.get("SaveItemToFolder", "true").lower() == "true"
        saved = element.find(f"{M}SavedItemFolderId")
        target = self._folder_ref(saved[0]) if saved is not None and len(saved) else None
        save_in = (target or self.store.folders_by_name("sentitems")).id if save else None
        ids = element.find(f"{M}ItemIds")
        messages = []
        for ref in ids if ids is not None else []:
            item = self.store.items.get(ref.get("Id", ""))
            if item is None:
                messages.append(_item_not_found("SendItem"))
                continue
            if not (item.to or item.cc):
                messages.append(
                    error(
                        "SendItem", "ErrorInvalidRecipients", "At least one recipient isn't valid."
                    )
                )
                continue
            self.store.submit(item.id, save_in, self.behaviour().sent_items_delay)
            messages.append(success("SendItem"))
        return operation_response("SendItem", messages)

    def update_item(self, element: etree._Element) -> bytes:
        changes = element.find(f"{M}ItemChanges")
        messages = []
        for change in changes if changes is not None else []:
            ref = change.find(f"{T}ItemId")
            item = self.store.items.get(ref.get("Id", "")) if ref is not None else None
            if item is None:
                messages.append(_item_not_found("UpdateItem"))
                continue
            updates = change.find(f"{T}Updates")
            for update in updates if updates is not None else []:
                _apply_update(item, update)
            self.store.touch(item)
            messages.append(
                success(
                    "UpdateItem",
                    f"<m:Items>{_item_xml(item, {'item:ItemId'})}</m:Items>"
                    "<m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>",
                )
            )
        return operation_response("UpdateItem", messages)

    def move_item(self, element: etree._Element) -> bytes:
        to = element.find(f"{M}ToFolderId")
        target = self._folder_ref(to[0]) if to is not None and len(to) else None
        ids = element.find(f"{M}ItemIds")
        messages = []
        for ref in ids if ids is not None else []:
            item_id = ref.get("Id", "")
            if target is None:
                messages.append(
                    error(
                        "MoveItem",
                        "ErrorFolderNotFound",
                        NO_FOLDER,
                        "<m:Items/>",
                    )
                )
            elif item_id not in self.store.items:
                messages.append(_item_not_found("MoveItem"))
            else:
                moved = self.store.move(item_id, target.id)
                messages.append(
                    success("MoveItem", f"<m:Items>{_item_xml(moved, {'item:ItemId'})}</m:Items>")
                )
        return operation_response("MoveItem", messages)

    def find_item(self, element: etree._Element) -> bytes:
        fields = _requested_fields(element.find(f"{M}ItemShape"))
        restriction = element.find(f"{M}Restriction")
        paging = element.find(f"{M}IndexedPageItemView")
        offset = int(paging.get("Offset", "0")) if paging is not None else 0
        max_entries = int(paging.get("MaxEntriesReturned", "1000")) if paging is not None else 1000
        parents = element.find(f"{M}ParentFolderIds")
        messages = []
        for ref in parents if parents is not None else []:
            folder = self._folder_ref(ref)
            if folder is None:
                messages.append(
                    error(
                        "FindItem",
                        "ErrorFolderNotFound",
                        NO_FOLDER,
                    )
                )
                continue
            matches = [
                item
                for item in self.store.find_in_folder(folder.id)
                if restriction is None or _matches(item, restriction[0])
            ]
            matches.sort(key=lambda i: i.received, reverse=True)
            page = matches[offset : offset + max_entries]
            last = offset + len(page) >= len(matches)
            body = "".join(_item_xml(item, fields) for item in page)
            messages.append(
                success(
                    "FindItem",
                    f'<m:RootFolder IndexedPagingOffset="{offset + len(page)}" '
                    f'TotalItemsInView="{len(matches)}" '
                    f'IncludesLastItemInRange="{"true" if last else "false"}">'
                    f"<t:Items>{body}</t:Items></m:RootFolder>",
                )
            )
        return operation_response("FindItem", messages)

    def convert_id(self, element: etree._Element) -> bytes:
        # exchangelib guesses the server version with a dummy ConvertId; the SOAP header answers.
        ids = element.find(f"{M}SourceIds")
        count = len(ids) if ids is not None else 1
        msg = error("ConvertId", "ErrorInvalidIdMalformed", "Id is malformed.")
        return operation_response("ConvertId", [msg] * count)

    def resolve_names(self, element: etree._Element) -> bytes:
        # exchangelib sends this to guess the server version; the SOAP header carries the answer.
        msg = error("ResolveNames", "ErrorNameResolutionNoResults", "No results were found.")
        return operation_response("ResolveNames", [msg])


def _item_not_found(operation: str) -> str:
    return error(
        operation,
        "ErrorItemNotFound",
        "The specified object was not found in the store., The process failed to get the "
        "correct properties.",
        "<m:Items/>",
    )


def _requested_fields(shape: etree._Element | None) -> set[str]:
    fields = {"item:ItemId"}
    if shape is None:
        return fields
    base = shape.findtext(f"{T}BaseShape") or "IdOnly"
    if base != "IdOnly":
        fields |= {"item:Subject", "item:DateTimeReceived", "message:InternetMessageId"}
    for uri in shape.iterfind(f"{T}AdditionalProperties/{T}FieldURI"):
        fields.add(uri.get("FieldURI", ""))
    return fields


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _mailbox_xml(address: str) -> str:
    return (
        f"<t:Mailbox><t:Name>{text(address)}</t:Name>"
        f"<t:EmailAddress>{text(address)}</t:EmailAddress>"
        "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>OneOff</t:MailboxType></t:Mailbox>"
    )


def _item_xml(item: Item, fields: set[str]) -> str:
    """A t:Message with the requested properties, in schema order."""
    parts = [f"<t:ItemId Id={attr(item.id)} ChangeKey={attr(item.changekey)}/>"]
    if "item:MimeContent" in fields:
        encoded = base64.b64encode(item.mime).decode()
        parts.insert(0, f'<t:MimeContent CharacterSet="UTF-8">{encoded}</t:MimeContent>')
    if "item:ParentFolderId" in fields:
        parts.append(f"<t:ParentFolderId Id={attr(item.folder_id)}/>")
    if "item:ItemClass" in fields:
        parts.append(f"<t:ItemClass>{item.item_class}</t:ItemClass>")
    if "item:Subject" in fields:
        parts.append(f"<t:Subject>{text(item.subject)}</t:Subject>")
    if "item:DateTimeReceived" in fields:
        parts.append(f"<t:DateTimeReceived>{_iso(item.received)}</t:DateTimeReceived>")
    if "item:Size" in fields:
        parts.append(f"<t:Size>{len(item.mime)}</t:Size>")
    if "item:Categories" in fields and item.categories:
        cats = "".join(f"<t:String>{text(c)}</t:String>" for c in item.categories)
        parts.append(f"<t:Categories>{cats}</t:Categories>")
    if "message:ToRecipients" in fields and item.to:
        parts.append(
            f"<t:ToRecipients>{''.join(_mailbox_xml(a) for a in item.to)}</t:ToRecipients>"
        )
    if "message:IsRead" in fields:
        parts.append(f"<t:IsRead>{'true' if item.is_read else 'false'}</t:IsRead>")
    if "message:From" in fields and item.sender:
        parts.append(f"<t:From>{_mailbox_xml(item.sender)}</t:From>")
    if "message:InternetMessageId" in fields and item.message_id:
        parts.append(f"<t:InternetMessageId>{text(item.message_id)}</t:InternetMessageId>")
    if "message:CcRecipients" in fields and item.cc:
        parts.append(
            f"<t:CcRecipients>{''.join(_mailbox_xml(a) for a in item.cc)}</t:CcRecipients>"
        )
    if "item:DateTimeSent" in fields:
        parts.append(f"<t:DateTimeSent>{_iso(item.received)}</t:DateTimeSent>")
    if "item:Body" in fields:
        kind, content = _body(item.mime)
        parts.append(f'<t:Body BodyType="{kind}">{text(content)}</t:Body>')
    if "item:Attachments" in fields:
        files = "".join(
            f"<t:FileAttachment><t:AttachmentId Id={attr(aid)}/><t:Name>{text(name)}</t:Name>"
            f"<t:ContentType>{text(ctype)}</t:ContentType><t:Size>{len(data)}</t:Size>"
            "</t:FileAttachment>"
            for aid, name, ctype, data in _attachments(item)
        )
        parts.append(f"<t:Attachments>{files}</t:Attachments>")
    if "item:HasAttachments" in fields:
        parts.append(
            f"<t:HasAttachments>{'true' if _attachments(item) else 'false'}</t:HasAttachments>"
        )
    return f"<t:Message>{''.join(parts)}</t:Message>"


def _parsed(mime: bytes) -> Any:
    from email import policy
    from email.parser import BytesParser

    return BytesParser(policy=policy.default).parsebytes(mime)


def _body(mime: bytes) -> tuple[str, str]:
    """The item's Body property: the HTML part if there is one, else the plain text."""
    message = _parsed(mime)
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "Text", ""
    kind = "HTML" if part.get_content_type() == "text/html" else "Text"
    try:
        return kind, str(part.get_content())
    except (LookupError, ValueError):
        return kind, ""


def _attachments(item: Item) -> list[tuple[str, str, str, bytes]]:
    """File attachments as Exchange lists them: every part with a file name, at any depth."""
    found = []
    for index, part in enumerate(_parsed(item.mime).walk()):
        name = part.get_filename()
        if not name or part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        found.append((f"{item.id}:{index}", str(name), part.get_content_type(), data))
    return found


def _attachment(store: Store, attachment_id: str) -> tuple[str, str, str, bytes] | None:
    item_id, _, _ = attachment_id.rpartition(":")
    item = store.items.get(item_id)
    if item is None:
        return None
    return next((a for a in _attachments(item) if a[0] == attachment_id), None)


def _recipients(message: etree._Element) -> tuple[str, ...]:
    found = []
    for kind in ("ToRecipients", "CcRecipients", "BccRecipients"):
        for address in message.iterfind(f"{T}{kind}/{T}Mailbox/{T}EmailAddress"):
            if address.text:
                found.append(address.text.strip().lower())
    return tuple(found)


def _mime_recipients(mime: bytes) -> tuple[str, ...]:
    from email import policy
    from email.parser import BytesParser
    from email.utils import getaddresses

    headers = BytesParser(policy=policy.default).parsebytes(mime, headersonly=True)
    values = [str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name) or []]
    return tuple(addr.lower() for _, addr in getaddresses(values) if addr)


def _apply_update(item: Item, update: etree._Element) -> None:
    kind = etree.QName(update).localname
    uri_el = update.find(f"{T}FieldURI")
    uri = uri_el.get("FieldURI", "") if uri_el is not None else ""
    values = [s.text or "" for s in update.iterfind(f".//{T}Categories/{T}String")]
    if uri == "item:Categories":
        if kind == "SetItemField":
            item.categories = values
        elif kind == "AppendToItemField":
            item.categories.extend(v for v in values if v not in item.categories)
        elif kind == "DeleteItemField":
            item.categories = []
    elif uri == "message:IsRead" and kind == "SetItemField":
        item.is_read = (update.findtext(f".//{T}IsRead") or "").lower() == "true"


def _field_value(item: Item, uri: str) -> str | None:
    return {
        "message:InternetMessageId": item.message_id,
        "item:Subject": item.subject,
        "message:From": item.sender,
    }.get(uri)


def _matches(item: Item, condition: etree._Element) -> bool:
    kind = etree.QName(condition).localname
    if kind == "And":
        return all(_matches(item, c) for c in condition)
    if kind == "Or":
        return any(_matches(item, c) for c in condition)
    if kind == "Not":
        return not _matches(item, condition[0])
    uri_el = condition.find(f"{T}FieldURI")
    constant = condition.find(f"{T}FieldURIOrConstant/{T}Constant")
    if uri_el is None or constant is None:
        raise UnsupportedOperation(f"restriction {kind}")
    value = _field_value(item, uri_el.get("FieldURI", ""))
    expected = constant.get("Value", "")
    if kind == "IsEqualTo":
        return value is not None and value.lower() == expected.lower()
    if kind == "IsNotEqualTo":
        return value is None or value.lower() != expected.lower()
    if kind == "Contains":
        return value is not None and expected.lower() in value.lower()
    raise UnsupportedOperation(f"restriction {kind}")


def _restriction_value(restriction: etree._Element | None, uri: str) -> str | None:
    if restriction is None:
        return None
    for condition in restriction.iter(f"{T}IsEqualTo"):
        uri_el = condition.find(f"{T}FieldURI")
        constant = condition.find(f"{T}FieldURIOrConstant/{T}Constant")
        if uri_el is not None and uri_el.get("FieldURI") == uri and constant is not None:
            return constant.get("Value")
    return None
