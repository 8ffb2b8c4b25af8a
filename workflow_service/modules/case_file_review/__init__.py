"""Case-file review (案卷评查): a check of a closed case's file, giving a score and a list of defects."""
