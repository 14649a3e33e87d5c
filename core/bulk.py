"""``copy_insert``: many new model instances written with PostgreSQL's ``COPY``.

The portal's connections bind parameters on the client (psycopg's ``ClientCursor``, Django's
default), and Django 5.2's ``bulk_create`` sends each column as one array parameter
(``UNNEST``): psycopg then quotes every value of every array in Python, with a regular
expression per value. For an import of 10,000 premises (some 60,000 rows of six tables) that was
a sixth of the import's CPU. ``COPY`` streams the same values with psycopg's C row encoder.

What is written is what ``bulk_create`` writes: each concrete field's ``pre_save`` (sealed
values, ``auto_now``) and ``get_db_prep_save``, after the same check of related objects; every
constraint, foreign key and trigger of the table applies as to an ``INSERT``, and an error
comes out as Django's (``IntegrityError``...). No signals are sent (neither does
``bulk_create``), and the instances are marked saved. Used by the registry's bulk services
(``tenants.residents.services.bulk``) and the import; call it inside the caller's transaction.
"""

from __future__ import annotations

from django.db import connections, models, router

BATCH = 5000


def copy_insert(objs: list[models.Model]) -> None:
    """Insert ``objs`` (instances of one model, their primary keys set) with ``COPY``.

    A model whose primary key the database makes (an auto field) goes through
    ``bulk_create``, which reads the keys back."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    if isinstance(opts.pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        model._base_manager.bulk_create(objs)
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [field for field in opts.concrete_fields if not getattr(field, "generated", False)]
    quote = connection.ops.quote_name
    statement = (
        f"COPY {quote(opts.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        "FROM STDIN"
    )
    for obj in objs:
        if type(obj) is not model:
            raise TypeError("copy_insert writes instances of one model at a time")
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor, connection.wrap_database_errors:
        for start in range(0, len(objs), BATCH):
            # The values first: a field's pre_save may query (an unsealed value fetches its
            # owner's key), which it cannot do on the connection while a COPY is streaming.
            rows = [
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
                for obj in objs[start : start + BATCH]
            ]
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
