"""klasse.app"""
