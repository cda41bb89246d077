"""Reference data: the code lists, local authorities and postcode districts the rest looks up.

- _seed: loading the reference tables from seed/ (once, on first start);
- _codes: the coded fields and their choices (DfE SSDA903 code lists with the years they are valid);
- _areas: areas covered, as the text a broker types and back.
"""

from broker_tui.services.reference._areas import (
    areas_to_text,
    parse_areas_text,
    parse_place_text,
    place_to_text,
)
from broker_tui.services.reference._codes import (
    CODED_FIELDS,
    CodeChoice,
    code_choices,
    form_code_choices,
    local_authority_names,
    return_year,
)
from broker_tui.services.reference._seed import (
    ensure_reference_data,
    load_reference_data,
    local_authority_rows,
    postcode_district_rows,
    read_code_list_file,
    ssda903_code_lists,
)

__all__ = [
    "CODED_FIELDS",
    "CodeChoice",
    "areas_to_text",
    "code_choices",
    "ensure_reference_data",
    "form_code_choices",
    "load_reference_data",
    "local_authority_names",
    "local_authority_rows",
    "parse_areas_text",
    "parse_place_text",
    "read_code_list_file",
    "ssda903_code_lists",
    "place_to_text",
    "postcode_district_rows",
    "return_year",
]
