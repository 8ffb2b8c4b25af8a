"""Documents drawn after their step (issue 14: a completion that issues a document no longer waits ~0.2 s for
WeasyPrint): an issued document's PDF, its SHA-256 and page count may be empty until documents/pdfs.py draws
them from the frozen HTML; `rendered_at` records when. Existing documents were drawn at issue: they keep their
bytes and get `rendered_at` = `issued_at`. The case file (案卷) likewise: archiving orders it (`requested_at`), its PDF
is drawn just after.

Revision ID: b7e41d0c9a25
Revises: 3f8a6c1d9e27
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e41d0c9a25'
down_revision = '3f8a6c1d9e27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('pdf_pages', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index('ix_issued_documents_pdf_pending', ['id'], unique=False,
                              postgresql_where=sa.text('pdf_sha256 IS NULL'),
                              sqlite_where=sa.text('pdf_sha256 IS NULL'))
    op.execute("UPDATE issued_documents SET rendered_at = issued_at WHERE pdf_sha256 IS NOT NULL")
    with op.batch_alter_table('case_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('pages', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('built_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.create_index('ix_case_files_pdf_pending', ['id'], unique=False,
                              postgresql_where=sa.text('pdf_sha256 IS NULL'),
                              sqlite_where=sa.text('pdf_sha256 IS NULL'))
    op.execute("UPDATE case_files SET requested_at = built_at")
    with op.batch_alter_table('case_files', schema=None) as batch_op:
        batch_op.alter_column('requested_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    # Documents still without their PDF cannot go back to NOT NULL columns: they are drawn first (`wfs
    # render-documents`), or the downgrade stops here.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT (SELECT COUNT(*) FROM issued_documents WHERE pdf_sha256 IS NULL) + "
                            "(SELECT COUNT(*) FROM case_files WHERE pdf_sha256 IS NULL)")).scalar():
        raise RuntimeError("documents without their PDF: run `wfs render-documents` before downgrading")
    with op.batch_alter_table('case_files', schema=None) as batch_op:
        batch_op.drop_index('ix_case_files_pdf_pending')
        batch_op.alter_column('built_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('pages', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('requested_at')
    with op.batch_alter_table('issued_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_documents_pdf_pending')
        batch_op.alter_column('pdf_pages', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('pdf_sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('pdf', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('rendered_at')
