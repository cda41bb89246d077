"""Quality assurance screens: QA notes and their actions, the homes whose Regulation 44/45 visits are
overdue, the note form (new or a correction) and the placement stop a red note can start."""
