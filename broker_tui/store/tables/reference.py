"""Reference data: DfE code lists, local authorities, postcode districts, app metadata."""

from __future__ import annotations

from sqlmodel import Field

from broker_tui.store.base import TableModel


class CodeListEntry(TableModel, table=True):
    """One SSDA903 code with its DfE description and the return years it is valid for (data, not an enum)."""

    __tablename__ = "code_list"
    field: str = Field(primary_key=True)  # PLACE, LS, CIN, PLACE_PROVIDER, REASON_PLACE_CHANGE, REC ...
    code: str = Field(primary_key=True)
    field_name: str
    description: str = ""
    valid_from_year: str | None = None  # e.g. "2024-25"; None = valid in every year on record
    valid_to_year: str | None = None  # last return year the code is accepted in; None = still valid


class LocalAuthority(TableModel, table=True):
    """An English children's-services authority, placed at the mean of its postcode districts."""

    __tablename__ = "local_authority"
    ons_code: str = Field(primary_key=True)
    name: str = Field(index=True)
    ofsted_name: str = Field(index=True)
    dfe_code: str
    region_code: str
    region_name: str = Field(index=True)
    latitude: float | None = None
    longitude: float | None = None


class PostcodeDistrict(TableModel, table=True):
    """A postcode district (outward code) with its centroid and main upper-tier authority."""

    __tablename__ = "postcode_district"
    outcode: str = Field(primary_key=True)
    latitude: float | None = None
    longitude: float | None = None
    utla_code: str | None = Field(default=None, index=True)
    utla_share: float | None = None


class AppMeta(TableModel, table=True):
    """Small key/value facts about this database (demo seeded when, distance origin ...)."""

    __tablename__ = "app_meta"
    key: str = Field(primary_key=True)
    value: str
